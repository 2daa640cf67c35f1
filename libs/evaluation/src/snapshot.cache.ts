import { Inject, Injectable } from '@nestjs/common';
import { Registry } from '#registry';
import { TenantScopeService } from '#tenancy';
import { buildSnapshot, type TenantSnapshot } from './tenant-snapshot.js';
import type { OptionDefinition } from '#registry';

const MAX_SNAPSHOTS = 100_000;

/**
 * Per-tenant snapshots of effective values, keyed by tenant id only. A snapshot is built from
 * one tenant-scoped read (row-level security applies) and dropped when that tenant changes.
 *
 * Races: a build that started before an invalidation of its tenant still answers the requests
 * that were waiting for it, but is not kept, so a change can never be hidden by a stale build.
 */
@Injectable()
export class SnapshotCache {
  private readonly entries = new Map<string, TenantSnapshot>();
  private readonly building = new Map<string, Promise<TenantSnapshot>>();
  /** Invalidations per tenant, and of everything; a build is kept only if neither moved. */
  private readonly tenantGen = new Map<string, number>();
  private epoch = 0;
  private live = true;
  /** Catalog order, fixed for the life of the process. */
  private readonly definitions: readonly OptionDefinition[];

  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(Registry) registry: Registry,
  ) {
    this.definitions = registry.list();
  }

  /** Snapshots built from the database since start (cold tenants and rebuilds after changes). */
  builds = 0;

  get size(): number {
    return this.entries.size;
  }

  /** Bytes held by the cached snapshots' buffers. */
  get approxBytes(): number {
    let total = 0;
    for (const s of this.entries.values()) total += s.approxBytes;
    return total;
  }

  /** The tenant's snapshot: from memory when warm, else one database read. */
  get(tenantId: string): TenantSnapshot | Promise<TenantSnapshot> {
    return this.entries.get(tenantId) ?? this.building.get(tenantId) ?? this.build(tenantId);
  }

  invalidateTenant(tenantId: string): void {
    this.tenantGen.set(tenantId, (this.tenantGen.get(tenantId) ?? 0) + 1);
    this.entries.delete(tenantId);
    this.building.delete(tenantId);
  }

  clear(): void {
    this.epoch++;
    this.tenantGen.clear();
    this.entries.clear();
    this.building.clear();
  }

  /** While changes cannot be observed, every request reads the database and nothing is kept. */
  setLive(live: boolean): void {
    this.live = live;
    this.clear();
  }

  private build(tenantId: string): Promise<TenantSnapshot> {
    this.builds++;
    const epoch = this.epoch;
    const gen = this.tenantGen.get(tenantId) ?? 0;
    const pending = this.scopes
      .run({ tenantId }, (tx) =>
        tx.optionValue.findMany({ where: { tenantId }, select: { optionKey: true, isSet: true, value: true, version: true } }),
      )
      .then((rows) => buildSnapshot(tenantId, this.definitions, rows));
    const settled = pending.then(
      (snapshot) => {
        if (this.building.get(tenantId) === settled) this.building.delete(tenantId);
        if (this.live && epoch === this.epoch && gen === (this.tenantGen.get(tenantId) ?? 0)) this.keep(snapshot);
        return snapshot;
      },
      (err: unknown) => {
        if (this.building.get(tenantId) === settled) this.building.delete(tenantId);
        throw err;
      },
    );
    if (this.live) this.building.set(tenantId, settled);
    return settled;
  }

  private keep(snapshot: TenantSnapshot): void {
    if (this.entries.size >= MAX_SNAPSHOTS && !this.entries.has(snapshot.tenantId)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(snapshot.tenantId, snapshot);
  }
}
