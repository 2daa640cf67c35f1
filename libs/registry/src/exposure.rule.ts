import { isDeepStrictEqual } from 'node:util';
import type { OptionDefinition } from './option-definition.js';

/**
 * A value to look at twice ("exposed"): on a high or critical option, one that is neither the
 * platform default nor the catalog's safe value. The exposure report lists these; the console
 * marks them with its own copy of this rule (it runs in the browser), kept in agreement by
 * test/unit/exposure-rule.spec.ts.
 */
export function isExposed(def: Pick<OptionDefinition, 'risk' | 'default' | 'safe'>, value: unknown): boolean {
  if (def.risk !== 'high' && def.risk !== 'critical') return false;
  if (value === undefined || isDeepStrictEqual(value, def.default)) return false;
  return def.safe === undefined || !isDeepStrictEqual(value, def.safe);
}
