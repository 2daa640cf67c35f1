import type { OptionDefinition } from './types.js';

/** JSON equality regardless of object key order (the API's values are plain JSON). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => same(v, b[i]));
  const ka = Object.keys(a);
  const rb = b as Record<string, unknown>;
  return ka.length === Object.keys(rb).length && ka.every((k) => k in rb && same((a as Record<string, unknown>)[k], rb[k]));
}

/**
 * A value to look at twice: on a high or critical option, one that is neither the platform default
 * nor the catalog's safe value (a critical option's default is always its safe value, so a value
 * that must stay off is caught too). The browser's copy of the API's exposure rule (isExposed in
 * libs/registry): test/unit/exposure-rule.spec.ts checks that both agree.
 */
export function isDangerous(def: Pick<OptionDefinition, 'risk' | 'default' | 'safe'> | undefined, value: unknown): boolean {
  if (!def || (def.risk !== 'high' && def.risk !== 'critical')) return false;
  if (value === undefined || same(value, def.default)) return false;
  return def.safe === undefined || !same(value, def.safe);
}
