import { sameRules, type DefinitionVersion } from './definition-version.js';

const v = (version: number, schemaHash: string | null, risk = 'medium', dflt: unknown = 'a'): DefinitionVersion => ({
  version,
  risk,
  default: dflt as never,
  schemaHash,
  reconciledAt: '2026-12-04T00:00:00.000Z',
});

describe('sameRules (which definition versions a seal still stands for)', () => {
  it('accepts versions that only moved the default', () => {
    expect(sameRules([v(1, 'h'), v(2, 'h', 'medium', 'b'), v(3, 'h', 'medium', 'c')], 1, 3)).toBe(true);
  });
  it('refuses a schema or risk change anywhere since the sealed version', () => {
    expect(sameRules([v(1, 'h'), v(2, 'other'), v(3, 'h')], 1, 3)).toBe(false);
    expect(sameRules([v(1, 'h'), v(2, 'h', 'high')], 1, 2)).toBe(false);
  });
  it('refuses unknown versions, unknown schema hashes and a current version that is not the last recorded', () => {
    expect(sameRules([v(2, 'h')], 1, 2)).toBe(false);
    expect(sameRules([v(1, null), v(2, null)], 1, 2)).toBe(false);
    expect(sameRules([v(1, 'h'), v(2, 'h'), v(3, 'h')], 1, 2)).toBe(false);
  });
});
