import { Inject, Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { AuditLinker, AuditRecorder, auditPlaceholders, type AuditAction, type AuditEntry, type UnlinkedEvent } from '#audit';
import { PrismaService, assertSessionRole, type PrismaTx } from '#persistence';
import type { JsonValue, OptionDefinition } from '#registry';
import type { Actor } from '#tenancy';
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
  constructor(
    readonly key: string,
    readonly current: number,
  ) {
    super(`option "${key}" is at version ${current}`);
  }
}

/** What a direct change found when it tried to apply (see `applyAlone`). */
export type AloneOutcome =
  | { outcome: 'applied'; option: OptionView }
  | { outcome: 'sealed'; sealId: string }
  | { outcome: 'conflict' }
  | { outcome: 'no_tenant' };

type StateRow = {
  session_role: string;
  session_rls: boolean;
  risk_level: number;
  seal_id: string | null;
  is_set: boolean | null;
  value: JsonValue;
  version: number | null;
  updated_at: Date | null;
  updated_by_id: string | null;
  updated_by: string | null;
};
type ApplyRow = UnlinkedEvent & { outcome: AloneOutcome['outcome']; current_version: number | null; active_seal: string | null };

/**
 * Storage of option values. Deliberately not exported from the library: values reach it only
 * through the ChangeGate, which decides whether a change applies now or needs approvals.
 */
@Injectable()
export class OptionStore {
  constructor(
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(AuditLinker) private readonly linker: AuditLinker,
    @Inject(PrismaService) private readonly db: PrismaService,
  ) {}

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
  async write(
    tx: PrismaTx,
    tenantId: string,
    def: OptionDefinition,
    next: Change,
    expectedVersion: number,
    origin: WriteOrigin,
  ): Promise<OptionView> {
    const before = await this.current(tx, tenantId, def);
    if (before.version !== expectedVersion) throw new VersionConflict(def.key, before.version);
    const { row, entry } = planWrite(tenantId, def, next, before, origin);
    if (!(await this.writeRow(tx, tenantId, def.key, row))) throw new VersionConflict(def.key, before.version);
    await this.audit.record(tx, entry);
    return optionView(def, row);
  }

  /**
   * The option of a tenant as stored now, the tenant's active seal and risk level; null if the
   * tenant does not exist. One statement, no lock: `applyAlone` checks that nothing moved since.
   */
  async peek(tenantId: string, def: OptionDefinition): Promise<{ sealId: string | null; riskLevel: number; option: OptionView } | null> {
    const { rows } = await this.db.database.pool.query<StateRow>('SELECT * FROM cloison_option_write_state($1::uuid, $2::text)', [
      tenantId,
      def.key,
    ]);
    const r = rows[0];
    if (!r) return null;
    assertSessionRole(this.db.database.role.role, { role: r.session_role, rls: r.session_rls });
    const stored: StoredRow | null =
      r.version === null
        ? null
        : {
            isSet: r.is_set === true,
            value: r.value,
            version: r.version,
            updatedAt: r.updated_at as Date,
            updatedById: r.updated_by_id ?? '',
            updatedBy: r.updated_by ?? '',
          };
    return { sealId: r.seal_id, riskLevel: r.risk_level, option: optionView(def, stored) };
  }

  /**
   * Applies `next` over `before` (as `peek` read it) and appends its audit event to the tenant's
   * chain in one statement, which is its own transaction and locks nothing shared by other tenants;
   * then waits for the linker to give the event its place in the global chain (one link run for
   * every change committed meanwhile). Only then is the change acknowledged. Refused without
   * writing anything when the tenant is sealed or the option is no longer at `before.version`.
   */
  async applyAlone(tenantId: string, def: OptionDefinition, next: Change, before: OptionView, origin: WriteOrigin): Promise<AloneOutcome> {
    const { row, entry } = planWrite(tenantId, def, next, before, origin);
    const event = this.audit.prepare(entry);
    // Straight on the pool (one statement needs no Prisma transaction): a round trip less work.
    const { rows } = await this.db.database.pool.query<ApplyRow>(
      `SELECT * FROM cloison_apply_option_unlinked($1::uuid, $2::text, $3::integer, $4::boolean, $5::jsonb, ${auditPlaceholders(5)})`,
      [tenantId, def.key, before.version, row.isSet, JSON.stringify(row.value), ...event.args],
    );
    const r = rows[0];
    if (!r) throw new Error('option change returned no outcome');
    if (r.outcome === 'sealed') return { outcome: 'sealed', sealId: r.active_seal ?? '' };
    if (r.outcome !== 'applied') return { outcome: r.outcome };
    this.audit.appendedUnlinked(event, r);
    await this.linker.link();
    return { outcome: 'applied', option: optionView(def, row) };
  }

  private async lockRow(tx: PrismaTx, tenantId: string, key: string): Promise<StoredRow | null> {
    const rows = await tx.$queryRaw<
      { is_set: boolean; value: JsonValue; version: number; updated_at: Date; updated_by_id: string; updated_by: string }[]
    >`SELECT is_set, value, version, updated_at, updated_by_id, updated_by FROM option_values
       WHERE tenant_id = ${tenantId}::uuid AND option_key = ${key} FOR UPDATE`;
    const r = rows[0];
    return r
      ? {
          isSet: r.is_set,
          value: r.value,
          version: r.version,
          updatedAt: r.updated_at,
          updatedById: r.updated_by_id,
          updatedBy: r.updated_by,
        }
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

/** The row a change writes over `before`, and its audit event (before → after, same instant). */
function planWrite(
  tenantId: string,
  def: OptionDefinition,
  next: Change,
  before: OptionView,
  origin: WriteOrigin,
): { row: StoredRow; entry: AuditEntry } {
  const value = next.isSet ? next.value : def.default;
  const row: StoredRow = {
    isSet: next.isSet,
    value: value as JsonValue,
    version: before.version + 1,
    updatedAt: new Date(),
    updatedById: origin.actor.id,
    updatedBy: origin.actor.name,
  };
  const entry: AuditEntry = {
    actor: origin.actor,
    action: origin.action ?? (next.isSet ? 'option.set' : 'option.reset'),
    tenantId,
    optionKey: def.key,
    before: before.value,
    after: value,
    reason: origin.reason,
    requestId: origin.requestId,
    at: row.updatedAt,
  };
  return { row, entry };
}
