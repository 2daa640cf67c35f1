import { OptionReplay, readState, rowWrite, type TenantState } from './option-replay.js';

const T = '00000000-0000-4000-8000-000000000001';

/** A tenant's chain as (action, option, after), replayed in order. */
function replayed(events: [string, string | null, unknown][]): OptionReplay {
  const r = new OptionReplay();
  for (const [action, option, after] of events) r.event(T, rowWrite(action, option, after));
  return r;
}

const state = (tenantSeq: number, options: TenantState['options']): TenantState => ({ tenantId: T, tenantSeq, options });

describe('the option rows a tenant chain implies', () => {
  const chain: [string, string | null, unknown][] = [
    ['tenant.created', null, { slug: 'a' }],
    ['preset.applied', 'revote', true],
    ['option.set', 'retention_days', 730],
    ['change_request.created', 'retention_days', { value: 365 }],
    ['option.set', 'retention_days', 365],
    ['option.reset', 'retention_days', 400],
    ['option.default_applied', 'voter_results_visibility', 'after_close'],
    ['option.pinned', 'ballot_order', { mode: 'fixed', seed: 1 }],
  ];
  const honest = state(8, [
    { key: 'ballot_order', version: 1, value: { seed: 1, mode: 'fixed' }, isSet: true },
    { key: 'retention_days', version: 3, value: 400, isSet: false },
    { key: 'revote', version: 1, value: true, isSet: true },
  ]);

  it('counts writes per option, keeps the last value and whether it is set; other actions write nothing', () => {
    const r = replayed(chain);
    expect(r.seen(T)).toBe(8);
    expect(r.check(honest, 8)).toBeNull();
    expect(r.checked).toBe(1);
    expect(r.outcome({ ok: true, checked: 8, firstBrokenSeq: null, reason: null })).toEqual({
      ok: true,
      checked: 8,
      firstBrokenSeq: null,
      reason: null,
      valuesChecked: 1,
    });
  });

  it('reports a difference only when the chain itself verifies: a broken chain explains more', () => {
    const r = replayed(chain);
    r.check(state(8, []), 8, 12);
    const broken = { ok: false, checked: 3, firstBrokenSeq: 3, reason: 'event 3 is missing' };
    expect(r.outcome(broken)).toEqual({ ...broken, valuesChecked: 1 });
    expect(r.outcome({ ok: true, checked: 8, firstBrokenSeq: null, reason: null })).toMatchObject({
      ok: false,
      firstBrokenSeq: 8,
      line: 12,
      valueDifference: { option: 'ballot_order', stored: null },
    });
  });

  it.each([
    ['another value', { key: 'retention_days', version: 3, value: 3650, isSet: false }, 'retention_days'],
    ['another version', { key: 'retention_days', version: 4, value: 400, isSet: false }, 'retention_days'],
    ['set instead of default', { key: 'retention_days', version: 3, value: 400, isSet: true }, 'retention_days'],
    [
      'a row the chain does not explain',
      { key: 'admin_can_view_credentials', version: 1, value: true, isSet: true },
      'admin_can_view_credentials',
    ],
  ])('reports %s, naming the option, the stored and the expected row', (_what, row, option) => {
    const options = honest.options.filter((o) => o.key !== row.key).concat(row);
    const found = replayed(chain).check(state(8, options), 8);
    expect(found?.difference?.option).toBe(option);
    expect(found?.difference?.stored).toEqual({ version: row.version, value: row.value, isSet: row.isSet });
    expect(found?.reason).toContain(`option "${option}"`);
  });

  it('reports a missing row, expected as the chain left it', () => {
    const found = replayed(chain).check(
      state(
        8,
        honest.options.filter((o) => o.key !== 'revote'),
      ),
      8,
    );
    expect(found?.difference).toEqual({ tenantId: T, option: 'revote', stored: null, expected: { version: 1, value: true, isSet: true } });
    expect(found?.reason).toMatch(/stored as no row, but the audit chain implies version 1, value true \(set\)/);
  });

  it('refuses a state placed after another event than the one it describes', () => {
    expect(replayed(chain).check({ ...honest, tenantSeq: 7 }, 8)?.reason).toMatch(/follow event 8 .* after event 7/);
    expect(replayed([]).check(state(0, []), 1)).toBeNull();
  });

  it('compares values by their canonical JSON, not by key order', () => {
    expect(rowWrite('option.set', 'x', { b: 1, a: [1, 'é'] })).toEqual({ option: 'x', isSet: true, value: '{"a":[1,"é"],"b":1}' });
    expect(rowWrite('constructor', 'x', 1)).toBeNull();
    expect(rowWrite('option.set', null, 1)).toBeNull();
  });

  it('reads a state line only in its documented shape', () => {
    expect(readState({ tenantId: T, tenantSeq: 2, options: [{ key: 'k', version: 1, value: null, isSet: false }] }).options).toHaveLength(
      1,
    );
    expect(() => readState({ tenantId: T, tenantSeq: -1, options: [] })).toThrow('tenantSeq');
    expect(() => readState({ tenantId: T, tenantSeq: 1, options: [{ key: 'k', version: 1, isSet: false }] })).toThrow('option');
    expect(() =>
      readState({
        tenantId: T,
        tenantSeq: 1,
        options: [
          { key: 'k', version: 1, value: 1, isSet: true },
          { key: 'k', version: 2, value: 1, isSet: true },
        ],
      }),
    ).toThrow('twice');
  });
});
