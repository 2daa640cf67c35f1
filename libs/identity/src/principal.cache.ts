import type { AuthenticatedPrincipal } from '../../tenancy/src/index.js';

interface Entry {
  principal: AuthenticatedPrincipal;
  expiresAt: number;
}

/**
 * Token hash → live principal, for routes on the hot path. Entries are dropped when the
 * principal or its tenant changes (revocation included) and expire after `ttlMs` regardless,
 * so a missed notification cannot keep a revoked token alive for long. A lookup that started
 * before an invalidation is never stored (generation check), so a revocation racing a cold
 * lookup cannot be undone by it.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private gen = 0;
  private live = true;

  constructor(
    private readonly ttlMs = 300_000,
    private readonly maxEntries = 200_000,
  ) {}

  /** Taken before a database lookup and handed back to `store`. */
  get generation(): number {
    return this.gen;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Lookups that found nothing usable (the caller then asks the database). */
  misses = 0;

  lookup(hash: string, now = Date.now()): AuthenticatedPrincipal | undefined {
    const e = this.entries.get(hash);
    if (e && e.expiresAt > now) return e.principal;
    if (e) this.entries.delete(hash);
    this.misses++;
    return undefined;
  }

  store(hash: string, principal: AuthenticatedPrincipal, generation: number, now = Date.now()): void {
    if (!this.live || generation !== this.gen) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    // Shared by every request the entry serves: nobody may alter it.
    this.entries.set(hash, { principal: Object.freeze(principal), expiresAt: now + this.ttlMs });
  }

  forgetPrincipal(id: string): void {
    this.gen++;
    for (const [hash, e] of this.entries) if (e.principal.id === id) this.entries.delete(hash);
  }

  forgetTenant(tenantId: string): void {
    this.gen++;
    for (const [hash, e] of this.entries) if (e.principal.tenantId === tenantId) this.entries.delete(hash);
  }

  clear(): void {
    this.gen++;
    this.entries.clear();
  }

  /** While changes cannot be observed, nothing is cached (every request asks the database). */
  setLive(live: boolean): void {
    this.live = live;
    this.clear();
  }
}
