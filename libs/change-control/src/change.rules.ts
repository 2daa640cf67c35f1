import { isDeepStrictEqual } from 'node:util';
import type { OptionDefinition } from '#registry';
import { RuleRefused } from './change-errors.js';
import type { Change, OptionView } from './option-view.js';

/** A change that leaves the effective value (or, for a reset, the source) as it is. */
export function isNoop(before: OptionView, next: Change): boolean {
  return next.isSet ? isDeepStrictEqual(before.value, next.value) : before.source === 'default';
}

/** Under a seal, a break-glass change may only move a secrecy option towards more secrecy (`def.secrecy`, most secret first). */
export function assertMoreSecret(def: OptionDefinition, before: OptionView, change: Change): void {
  const order = def.secrecy;
  if (!order)
    throw new RuleRefused(`option "${def.key}" is not a secrecy option: it stays frozen under the seal`, 'secrecy_option', '/option');
  const to = change.isSet
    ? order.findIndex((v) => isDeepStrictEqual(v, change.value))
    : order.findIndex((v) => isDeepStrictEqual(v, def.default));
  const from = order.findIndex((v) => isDeepStrictEqual(v, before.value));
  if (to < 0 || from < 0 || to >= from) {
    throw new RuleRefused(
      `under a seal, option "${def.key}" may only move towards more secrecy (${JSON.stringify(order)})`,
      'secrecy_only_increases',
      '/value',
    );
  }
}
