import { Inject, Injectable } from '@nestjs/common';
import { InvalidatedCache } from './invalidated.cache.js';
import { TenantScopeService, type ScopedRow } from './tenant-scope.service.js';

/** One stored option row of a tenant, as `cloison_read_options` returns it. */
export interface StoredOptionRow extends ScopedRow {
  tenant_id: string | null;
  option_key: string | null;
  is_set: boolean;
  value: unknown;
  version: number;
  updated_at: Date;
  updated_by_id: string;
  updated_by: string;
}

/** A tenant's stored option rows by key; a key the tenant never set has no row. */
export interface TenantOptionRows {
  tenantId: string;
  rows: Readonly<Record<string, Readonly<StoredOptionRow> | undefined>>;
}

const TTL_MS = 300_000;
const MAX_TENANTS = 100_000;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Each tenant's stored option rows, kept per instance for the REST option reads. An entry is only
 * ever filled by `cloison_read_options`, a read bound to that tenant's own row-level-security scope
 * (on the primary, so an entry is never older than the announcement that emptied it); the caller's
 * policy still judges every row it serves. Invalidated exactly like the evaluation snapshots: the
 * writing instance drops the tenant before it answers, the others on the database's announcement
 * (ChangeListener), or every entry when the polled change counter moves; entries expire after
 * TTL_MS regardless. Off, and empty, until changes can be observed (`setLive`).
 */
@Injectable()
export class OptionRowsCache {
  private readonly cache: InvalidatedCache<TenantOptionRows>;
  /** Reads under way, by tenant: dropped with the tenant's entry. */
  private readonly pending = new Map<string, Promise<TenantOptionRows>>();

  constructor(@Inject(TenantScopeService) private readonly scopes: TenantScopeService) {
    this.cache = new InvalidatedCache<TenantOptionRows>(TTL_MS, MAX_TENANTS, false);
  }

  get size(): number {
    return this.cache.size;
  }

  /** Whether entries are kept at all (false while changes cannot be observed). */
  get live(): boolean {
    return this.cache.live;
  }

  /** The tenant's rows if warm; else undefined (see `load`). */
  lookup(tenantId: string, now = Date.now()): TenantOptionRows | undefined {
    return this.cache.lookup(tenantId, now);
  }

  /**
   * Reads the tenant's rows in its own scope and keeps them unless an invalidation came first.
   * Requests that miss together share one read, but never one that started before the tenant was
   * last invalidated (that would hide a change from a read made after it was acknowledged).
   */
  load(tenantId: string): Promise<TenantOptionRows> {
    const shared = this.pending.get(tenantId);
    if (shared) return shared;
    const read = this.read(tenantId).finally(() => {
      if (this.pending.get(tenantId) === read) this.pending.delete(tenantId);
    });
    if (this.cache.live) this.pending.set(tenantId, read);
    return read;
  }

  private async read(tenantId: string): Promise<TenantOptionRows> {
    const generation = this.cache.generation;
    const found = await this.scopes.readOnePrimary<StoredOptionRow>(tenantId, 'cloison_read_options');
    // No prototype: a key is only ever one of the tenant's rows.
    const rows: Record<string, StoredOptionRow> = Object.create(null);
    for (const r of found) {
      // Skips the session-only row of a tenant that set nothing.
      if (r.tenant_id === tenantId && r.option_key !== null) rows[r.option_key] = r;
    }
    // Shared by every request the entry serves: nobody may alter it.
    const entry = deepFreeze({ tenantId, rows });
    this.cache.store(tenantId, entry, generation);
    return entry;
  }

  forgetTenant(tenantId: string): void {
    this.pending.delete(tenantId);
    this.cache.forgetKey(tenantId);
  }

  clear(): void {
    this.pending.clear();
    this.cache.clear();
  }

  setLive(live: boolean): void {
    this.pending.clear();
    this.cache.setLive(live);
  }
}
