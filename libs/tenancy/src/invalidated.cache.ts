interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A bounded map whose entries are dropped when the database announces a change (the caller
 * `forget`s them) and expire after `ttlMs` regardless, so a missed notification cannot keep a
 * stale entry for long. A lookup that started before an invalidation is never stored
 * (generation check), so an invalidation racing a cold lookup cannot be undone by it. While
 * changes cannot be observed (`setLive(false)`), nothing is cached.
 */
export class InvalidatedCache<V extends object> {
  private readonly entries = new Map<string, Entry<V>>();
  private gen = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private isLive: boolean,
  ) {}

  /** Taken before a database lookup and handed back to `store`. */
  get generation(): number {
    return this.gen;
  }

  get live(): boolean {
    return this.isLive;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Lookups that found nothing usable (the caller then asks the database). */
  misses = 0;

  lookup(key: string, now = Date.now()): V | undefined {
    const e = this.entries.get(key);
    if (e && e.expiresAt > now) return e.value;
    if (e) this.entries.delete(key);
    this.misses++;
    return undefined;
  }

  store(key: string, value: V, generation: number, now = Date.now()): void {
    if (!this.isLive || generation !== this.gen) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    // Shared by every request the entry serves: nobody may alter it.
    this.entries.set(key, { value: Object.freeze(value), expiresAt: now + this.ttlMs });
  }

  /** Drops every entry `stale` picks, and any lookup in flight from being stored. */
  forget(stale: (value: V) => boolean): void {
    this.gen++;
    for (const [key, e] of this.entries) if (stale(e.value)) this.entries.delete(key);
  }

  /** Drops one entry, and any lookup in flight from being stored. */
  forgetKey(key: string): void {
    this.gen++;
    this.entries.delete(key);
  }

  clear(): void {
    this.gen++;
    this.entries.clear();
  }

  setLive(live: boolean): void {
    this.isLive = live;
    this.clear();
  }
}
