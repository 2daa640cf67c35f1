import type { AuthenticatedPrincipal } from '#tenancy';
import { InvalidatedCache } from '#tenancy/invalidated.cache';

/**
 * Token hash → live principal, for routes on the hot path. Entries are dropped when the
 * principal or its tenant changes (revocation included) and expire after `ttlMs` regardless,
 * so a missed notification cannot keep a revoked token alive for long; a revocation racing a
 * cold lookup cannot be undone by it (see InvalidatedCache).
 */
export class PrincipalCache {
  private readonly cache: InvalidatedCache<AuthenticatedPrincipal>;

  constructor(ttlMs = 300_000, maxEntries = 200_000) {
    this.cache = new InvalidatedCache<AuthenticatedPrincipal>(ttlMs, maxEntries, true);
  }

  /** Taken before a database lookup and handed back to `store`. */
  get generation(): number {
    return this.cache.generation;
  }

  get size(): number {
    return this.cache.size;
  }

  /** Lookups that found nothing usable (the caller then asks the database). */
  get misses(): number {
    return this.cache.misses;
  }

  lookup(hash: string, now = Date.now()): AuthenticatedPrincipal | undefined {
    return this.cache.lookup(hash, now);
  }

  store(hash: string, principal: AuthenticatedPrincipal, generation: number, now = Date.now()): void {
    this.cache.store(hash, principal, generation, now);
  }

  forgetPrincipal(id: string): void {
    this.cache.forget((p) => p.id === id);
  }

  forgetTenant(tenantId: string): void {
    this.cache.forget((p) => p.tenantId === tenantId);
  }

  clear(): void {
    this.cache.clear();
  }

  /** While changes cannot be observed, nothing is cached (every request asks the database). */
  setLive(live: boolean): void {
    this.cache.setLive(live);
  }
}
