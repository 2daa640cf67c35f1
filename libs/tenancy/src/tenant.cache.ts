import type { TenantRef } from './request-context.js';

interface Entry {
  tenant: TenantRef;
  expiresAt: number;
}

/**
 * Slug → tenant, as one read scope saw it under row-level security: an entry is keyed by the
 * scope that looked it up, so a hit answers exactly what the database answered for that scope,
 * and a tenant invisible to a scope (404) is never cached for it. Entries are dropped when the
 * tenant row changes or is deleted (the database announces both, see ChangeListener) and expire
 * after `ttlMs` regardless. Off, and empty, until changes can be observed (`setLive`); a lookup
 * that started before an invalidation is never stored.
 */
export class TenantCache {
  private readonly entries = new Map<string, Entry>();
  private gen = 0;
  private live = false;

  constructor(
    private readonly ttlMs = 300_000,
    private readonly maxEntries = 100_000,
  ) {}

  get generation(): number {
    return this.gen;
  }

  get size(): number {
    return this.entries.size;
  }

  lookup(scope: string, slug: string, now = Date.now()): TenantRef | undefined {
    const key = `${scope}/${slug}`;
    const e = this.entries.get(key);
    if (e && e.expiresAt > now) return e.tenant;
    if (e) this.entries.delete(key);
    return undefined;
  }

  store(scope: string, tenant: TenantRef, generation: number, now = Date.now()): void {
    if (!this.live || generation !== this.gen) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    // Shared by every request the entry serves: nobody may alter it.
    this.entries.set(`${scope}/${tenant.slug}`, { tenant: Object.freeze({ ...tenant }), expiresAt: now + this.ttlMs });
  }

  forgetTenant(id: string): void {
    this.gen++;
    for (const [key, e] of this.entries) if (e.tenant.id === id) this.entries.delete(key);
  }

  clear(): void {
    this.gen++;
    this.entries.clear();
  }

  setLive(live: boolean): void {
    this.live = live;
    this.clear();
  }
}
