import { InvalidatedCache } from './invalidated.cache.js';

describe('InvalidatedCache', () => {
  const value = (id: string) => ({ id });

  it('serves an entry until it expires, then asks again', () => {
    const c = new InvalidatedCache<{ id: string }>(1000, 10, true);
    c.store('k', value('a'), c.generation, 0);
    expect(c.lookup('k', 999)).toEqual({ id: 'a' });
    expect(c.lookup('k', 1000)).toBeUndefined();
    expect(c.size).toBe(0);
    expect(c.misses).toBe(1);
  });

  it('never stores a lookup that started before an invalidation', () => {
    const c = new InvalidatedCache<{ id: string }>(1000, 10, true);
    const started = c.generation;
    c.forget((v) => v.id === 'a');
    c.store('k', value('a'), started, 0);
    expect(c.lookup('k', 1)).toBeUndefined();
  });

  it('forgets exactly what the predicate picks, keeps the rest', () => {
    const c = new InvalidatedCache<{ id: string }>(1000, 10, true);
    c.store('x', value('a'), c.generation, 0);
    c.store('y', value('b'), c.generation, 0);
    c.forget((v) => v.id === 'a');
    expect(c.lookup('x', 1)).toBeUndefined();
    expect(c.lookup('y', 1)).toEqual({ id: 'b' });
  });

  it('forgets one key, and any lookup in flight from being stored', () => {
    const c = new InvalidatedCache<{ id: string }>(1000, 10, true);
    c.store('x', value('a'), c.generation, 0);
    c.store('y', value('b'), c.generation, 0);
    const started = c.generation;
    c.forgetKey('x');
    c.store('z', value('c'), started, 0);
    expect([c.lookup('x', 1), c.lookup('y', 1), c.lookup('z', 1)]).toEqual([undefined, { id: 'b' }, undefined]);
  });

  it('caches nothing while changes cannot be observed, and drops the oldest entry when full', () => {
    const off = new InvalidatedCache<{ id: string }>(1000, 10, false);
    off.store('k', value('a'), off.generation, 0);
    expect(off.size).toBe(0);
    const full = new InvalidatedCache<{ id: string }>(1000, 2, true);
    for (const k of ['1', '2', '3']) full.store(k, value(k), full.generation, 0);
    expect([full.lookup('1', 1), full.lookup('3', 1)]).toEqual([undefined, { id: '3' }]);
  });

  it('hands out frozen entries: a request cannot alter what others are served', () => {
    const c = new InvalidatedCache<{ id: string }>(1000, 10, true);
    c.store('k', value('a'), c.generation, 0);
    expect(Object.isFrozen(c.lookup('k', 1))).toBe(true);
  });
});
