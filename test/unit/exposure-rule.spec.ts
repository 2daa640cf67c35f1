import fc from 'fast-check';
import { isExposed } from '#registry/exposure.rule';
import type { JsonValue } from '#registry';
import { isDangerous } from '../../apps/console/src/danger.rule.js';
import { fuzzRuns } from '../support/fuzz-runs.js';

// The console runs in the browser and keeps its own copy of the exposure rule; the two must mark
// the same values, whatever the option's risk, default, safe value and the value's key order.
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.boolean(),
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom('on', 'off', 'sms'),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3, noNullPrototype: true }),
  ),
})).value as fc.Arbitrary<JsonValue>;

/** The same JSON with object keys in another order: equal for both rules. */
function reordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reordered);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reordered(x)]),
    );
  return v;
}

const definition = fc.record(
  { risk: fc.constantFrom('low', 'medium', 'high', 'critical'), default: json, safe: json },
  { requiredKeys: ['risk', 'default'] },
);

describe('exposure rule: the console and the API agree', () => {
  it('marks the same values, drawn freely or near the default and the safe value', () => {
    fc.assert(
      fc.property(definition, json, fc.nat(3), (def, drawn, pick) => {
        const value = [drawn, reordered(def.default), reordered(def.safe), undefined][pick];
        expect(isDangerous(def, value)).toBe(isExposed(def, value));
      }),
      { numRuns: fuzzRuns(2000), seed: 20261204 },
    );
  });

  it('states the rule on the cases people meet', () => {
    const critical = { risk: 'critical' as const, default: false, safe: false };
    expect(isExposed(critical, true)).toBe(true);
    expect(isExposed(critical, false)).toBe(false);
    // A default that is not the safest choice is not an exposure by itself.
    const schedule = { risk: 'high' as const, default: 'before_opening', safe: 'locked' };
    expect(isExposed(schedule, 'before_opening')).toBe(false);
    expect(isExposed(schedule, 'locked')).toBe(false);
    expect(isExposed(schedule, 'any_time')).toBe(true);
    expect(isExposed({ risk: 'medium', default: 1, safe: 1 }, 99)).toBe(false);
    expect(isDangerous({ risk: 'high', default: { a: 1, b: 2 } }, { b: 2, a: 1 })).toBe(false);
  });
});
