import { Inject, Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { AuditRecorder, type AuditAction } from '../../audit/src/index.js';
import type { PrismaTx } from '../../persistence/src/index.js';
import type { JsonValue, OptionDefinition } from '../../registry/src/index.js';
import type { Actor } from '../../tenancy/src/index.js';
import { optionView, type Change, type OptionView, type StoredRow } from './option-view.js';

export interface WriteOrigin {
  actor: Actor;
  reason: string;
  requestId?: string;
  /** Audit action; defaults to option.set / option.reset after the change. */
  action?: AuditAction;
}

/** The write is refused because the stored version moved under the caller. */
export class VersionConflict extends Error {
  constructor(readonly key: string, readonly current: number) {
    super(`option "${key}" is at version ${current}`);
  }
}

/**
 * Storage of option values. Deliberately not exported from the library: values reach it only
 * through the ChangeGate, which decides whether a change applies now or needs approvals.
 */
@Injectable()
export class OptionStore {
  constructor(@Inject(AuditRecorder) private readonly audit: AuditRecorder) {}

  /** Locks the tenant's row of `def` (if any) for the rest of the transaction. */
  async current(tx: PrismaTx, tenantId: string, def: OptionDefinition): Promise<OptionView> {
    return optionView(def, await this.lockRow(tx, tenantId, def.key));
  }

  /** A change that leaves the effective value (or, for a reset, the source) as it is. */
  isNoop(before: OptionView, next: Change): boolean {
    return next.isSet ? isDeepStrictEqual(before.value, next.value) : before.source === 'default';
  }

  /**
   * Writes `next` if the stored version is still `expectedVersion` and records the audit event
   * in the same transaction. Returns the option as it is after the write.
   */
  async write(tx: PrismaTx, tenantId: string, def: OptionDefinition, next: Change, expectedVersion: number, origin: WriteOrigin): Promise<OptionView> {
    const before = await this.current(tx, tenantId, def);
    if (before.version !== expectedVersion) throw new VersionConflict(def.key, before.version);
    const value = next.isSet ? next.value : def.default;
    const row: StoredRow = {
      isSet: next.isSet,
      value: value as JsonValue,
      version: before.version + 1,
      updatedAt: new Date(),
      updatedById: origin.actor.id,
      updatedBy: origin.actor.name,
    };
    if (!(await this.writeRow(tx, tenantId, def.key, row))) throw new VersionConflict(def.key, before.version);
    await this.audit.record(tx, {
      actor: origin.actor,
      action: origin.action ?? (next.isSet ? 'option.set' : 'option.reset'),
      tenantId,
      optionKey: def.key,
      before: before.value,
      after: value,
      reason: origin.reason,
      requestId: origin.requestId,
      at: row.updatedAt,
    });
    return optionView(def, row);
  }

  private async lockRow(tx: PrismaTx, tenantId: string, key: string): Promise<StoredRow | null> {
    const rows = await tx.$queryRaw<
      { is_set: boolean; value: JsonValue; version: number; updated_at: Date; updated_by_id: string; updated_by: string }[]
    >`SELECT is_set, value, version, updated_at, updated_by_id, updated_by FROM option_values
       WHERE tenant_id = ${tenantId}::uuid AND option_key = ${key} FOR UPDATE`;
    const r = rows[0];
    return r
      ? { isSet: r.is_set, value: r.value, version: r.version, updatedAt: r.updated_at, updatedById: r.updated_by_id, updatedBy: r.updated_by }
      : null;
  }

  /** Writes `row` if the stored version is still the one before it; false if another writer got there first. */
  private async writeRow(tx: PrismaTx, tenantId: string, key: string, row: StoredRow): Promise<boolean> {
    const value = JSON.stringify(row.value);
    const written = await tx.$executeRaw`
      INSERT INTO option_values (tenant_id, option_key, is_set, value, version, updated_at, updated_by_id, updated_by)
      VALUES (${tenantId}::uuid, ${key}, ${row.isSet}, ${value}::jsonb, ${row.version}, ${row.updatedAt}, ${row.updatedById}, ${row.updatedBy})
      ON CONFLICT (tenant_id, option_key) DO UPDATE
        SET is_set = EXCLUDED.is_set, value = EXCLUDED.value, version = EXCLUDED.version,
            updated_at = EXCLUDED.updated_at, updated_by_id = EXCLUDED.updated_by_id, updated_by = EXCLUDED.updated_by
        WHERE option_values.version = EXCLUDED.version - 1`;
    return written === 1;
  }
}
