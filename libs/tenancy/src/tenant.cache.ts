import { InvalidatedCache } from './invalidated.cache.js';
import type { TenantRef } from './request-context.js';

/**
 * Slug → tenant, as one read scope saw it under row-level security: an entry is keyed by the
 * scope that looked it up, so a hit answers exactly what the database answered for that scope,
 * and a tenant invisible to a scope (404) is never cached for it. Entries are dropped when the
 * tenant row changes or is deleted (the database announces both, see ChangeListener) and expire
 * after `ttlMs` regardless. Off, and empty, until changes can be observed (`setLive`).
 */
export class TenantCache {
  private readonly cache: InvalidatedCache<TenantRef>;

  constructor(ttlMs = 300_000, maxEntries = 100_000) {
    this.cache = new InvalidatedCache<TenantRef>(ttlMs, maxEntries, false);
  }

  get generation(): number {
    return this.cache.generation;
  }

  get size(): number {
    return this.cache.size;
  }

  lookup(scope: string, slug: string, now = Date.now()): TenantRef | undefined {
    return this.cache.lookup(`${scope}/${slug}`, now);
  }

  store(scope: string, tenant: TenantRef, generation: number, now = Date.now()): void {
    this.cache.store(`${scope}/${tenant.slug}`, { ...tenant }, generation, now);
  }

  forgetTenant(id: string): void {
    this.cache.forget((t) => t.id === id);
  }

  clear(): void {
    this.cache.clear();
  }

  setLive(live: boolean): void {
    this.cache.setLive(live);
  }
}
