import type { OptionDefinition } from '#registry';
import { PrincipalCache } from '#identity/principal.cache';
import { buildSnapshot, ifNoneMatchHits } from './tenant-snapshot.js';

const def = (key: string, dflt: OptionDefinition['default']): OptionDefinition => ({
  key,
  version: 1,
  risk: 'low',
  title: { en: key, fr: key },
  description: { en: key, fr: key },
  schema: {},
  default: dflt,
});

const defs = [def('a_flag', false), def('b_text', 'fr'), def('c_obj', { n: 1 })];
const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';

describe('tenant snapshot', () => {
  it('resolves tenant values over defaults, keeping JSON values as they are', () => {
    const s = buildSnapshot(T1, defs, [
      { optionKey: 'c_obj', isSet: true, value: { n: 2, list: [1] }, version: 3 },
      { optionKey: 'b_text', isSet: false, value: 'fr', version: 2 },
      { optionKey: 'gone_from_catalog', isSet: true, value: 1, version: 1 },
    ]);
    const flags = JSON.parse(s.bulkBody.toString()).flags as { key: string; value: unknown; reason: string }[];
    expect(flags.map((f) => [f.key, f.value, f.reason])).toEqual([
      ['a_flag', false, 'STATIC'],
      ['b_text', 'fr', 'STATIC'],
      ['c_obj', { n: 2, list: [1] }, 'TARGETING_MATCH'],
    ]);
    for (const f of flags) expect(JSON.parse(String(s.flagBody(f.key)))).toEqual(f);
    expect(JSON.parse(String(s.flagBody('c_obj')))).toMatchObject({ key: 'c_obj', metadata: { version: 3, source: 'tenant' } });
    expect(s.flagBody('gone_from_catalog')).toBeUndefined();
  });

  it('gives identical configurations of two tenants different ETags', () => {
    const a = buildSnapshot(T1, defs, []);
    const b = buildSnapshot(T2, defs, []);
    expect(a.bulkBody.equals(b.bulkBody)).toBe(true);
    expect(a.etag).not.toBe(b.etag);
    expect(buildSnapshot(T1, defs, []).etag).toBe(a.etag);
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    expect(ifNoneMatchHits('"x"', '"x"')).toBe(true);
    expect(ifNoneMatchHits('"y", W/"x"', '"x"')).toBe(true);
    expect(ifNoneMatchHits('*', '"x"')).toBe(true);
    expect(ifNoneMatchHits('"y"', '"x"')).toBe(false);
    expect(ifNoneMatchHits(undefined, '"x"')).toBe(false);
  });
});

describe('principal cache', () => {
  const p = { id: 'p1', name: 'svc', role: 'service' as const, tenantId: T1, tenantSlug: 'alpha' };

  it('does not keep a lookup that raced an invalidation', () => {
    const cache = new PrincipalCache();
    const gen = cache.generation;
    cache.forgetPrincipal('p1'); // revoked while the lookup was in flight
    cache.store('h', { ...p }, gen);
    expect(cache.lookup('h')).toBeUndefined();
    cache.store('h', { ...p }, cache.generation);
    expect(cache.lookup('h')).toMatchObject({ id: 'p1' });
  });

  it('forgets by principal and by tenant, and expires entries', () => {
    const cache = new PrincipalCache(1000);
    cache.store('h1', { ...p }, cache.generation, 0);
    cache.store('h2', { ...p, id: 'p2', tenantId: T2 }, cache.generation, 0);
    cache.forgetTenant(T1);
    expect(cache.lookup('h1', 10)).toBeUndefined();
    expect(cache.lookup('h2', 10)).toBeDefined();
    expect(cache.lookup('h2', 1000)).toBeUndefined();
  });

  it('keeps nothing while changes cannot be observed', () => {
    const cache = new PrincipalCache();
    cache.setLive(false);
    cache.store('h', { ...p }, cache.generation);
    expect(cache.size).toBe(0);
  });
});
