import { h } from './dom.js';
import { t } from './i18n.js';
import type { OptionDefinition } from './types.js';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A value to look at twice: on a high or critical option, one that is neither the platform default
 * nor the catalog's safe value. Values that must stay off (a critical option whose safe value is
 * off) are caught by the same rule, since a critical option's default is always its safe value.
 */
export function isDangerous(def: Pick<OptionDefinition, 'risk' | 'default' | 'safe'> | undefined, value: unknown): boolean {
  if (!def || (def.risk !== 'high' && def.risk !== 'critical')) return false;
  if (value === undefined || same(value, def.default)) return false;
  return def.safe === undefined || !same(value, def.safe);
}

/** The marker shown beside a dangerous value, in words (colour is never the only sign). */
export const dangerMark = (): HTMLElement => h('span', { class: 'danger-mark', 'data-danger': 'true' }, t('dangerous'));
