import { assertMoreSecret, isNoop } from '#change-control/change.rules';
import type { Change, OptionView } from '#change-control';
import type { JsonValue, OptionDefinition } from '#registry';

const view = (value: unknown, source: OptionView['source'] = 'tenant'): OptionView => ({
  key: 'k',
  value,
  source,
  version: 1,
  risk: 'low',
  updatedAt: null,
  updatedBy: null,
});
const set = (value: JsonValue): Change => ({ isSet: true, value });
const reset: Change = { isSet: false };

describe('no-op detection', () => {
  it('a set to the value already in effect changes nothing, compared deeply', () => {
    expect(isNoop(view(400), set(400))).toBe(true);
    expect(isNoop(view({ a: [1, { b: 2 }] }), set({ a: [1, { b: 2 }] }))).toBe(true);
    // The effective value counts, own or default: setting the default explicitly is a change only of source, not of value.
    expect(isNoop(view(365, 'default'), set(365))).toBe(true);
  });

  it('any difference of value or type is a change', () => {
    expect(isNoop(view(400), set(401))).toBe(false);
    expect(isNoop(view('400'), set(400))).toBe(false);
    expect(isNoop(view({ a: [1, 2] }), set({ a: [2, 1] }))).toBe(false);
    expect(isNoop(view(null), set(false))).toBe(false);
  });

  it('a reset is a no-op only when the option already follows the default', () => {
    expect(isNoop(view(365, 'default'), reset)).toBe(true);
    expect(isNoop(view(365, 'tenant'), reset)).toBe(false);
  });
});

describe('secrecy rule under a seal', () => {
  // Most secret first.
  const def = {
    key: 'results_visibility',
    default: 'after_close',
    secrecy: ['never', 'after_close', 'live'],
  } as unknown as OptionDefinition;
  const plain = { key: 'retention_days', default: 365 } as unknown as OptionDefinition;
  const ruleOf = (fn: () => void): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (err) {
      return (err as { getResponse(): { details: { rule: string }[] } }).getResponse().details[0]?.rule;
    }
  };

  it('allows a move towards more secrecy, by set or by reset to a more secret default', () => {
    expect(ruleOf(() => assertMoreSecret(def, view('live'), set('after_close')))).toBeUndefined();
    expect(ruleOf(() => assertMoreSecret(def, view('live'), set('never')))).toBeUndefined();
    expect(ruleOf(() => assertMoreSecret(def, view('after_close'), set('never')))).toBeUndefined();
    expect(ruleOf(() => assertMoreSecret(def, view('live'), reset))).toBeUndefined();
  });

  it('refuses staying put, moving towards less secrecy, and values outside the order', () => {
    expect(ruleOf(() => assertMoreSecret(def, view('after_close'), set('after_close')))).toBe('secrecy_only_increases');
    expect(ruleOf(() => assertMoreSecret(def, view('never'), set('live')))).toBe('secrecy_only_increases');
    expect(ruleOf(() => assertMoreSecret(def, view('never'), reset))).toBe('secrecy_only_increases');
    expect(ruleOf(() => assertMoreSecret(def, view('after_close'), reset))).toBe('secrecy_only_increases');
    expect(ruleOf(() => assertMoreSecret(def, view('live'), set('sometimes')))).toBe('secrecy_only_increases');
    expect(ruleOf(() => assertMoreSecret(def, view('unknown'), set('never')))).toBe('secrecy_only_increases');
  });

  it('keeps an option that is not a secrecy option frozen', () => {
    expect(ruleOf(() => assertMoreSecret(plain, view(400), set(30)))).toBe('secrecy_option');
  });
});
