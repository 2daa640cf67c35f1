import { Inject, Injectable } from '@nestjs/common';
import { AuditLinker, AuditRecorder, auditPlaceholders, type AuditAction, type AuditEntry, type UnlinkedEvent } from '#audit';
import { ChangeListener } from '#evaluation';
import { recordChangeStatement } from '#observability';
import { PrismaService, assertSessionRole, hotStatement, refusedByDatabase, type PrismaTx } from '#persistence';
import type { JsonValue, OptionDefinition } from '#registry';
import { TenantScopeService, type Actor } from '#tenancy';
import { StatementBatcher } from './change.batcher.js';
import { TenantSealed } from './change-errors.js';
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

/** What is stored of one option: the tenant's risk level and active seal, and the option. */
export interface WriteState {
  riskLevel: number;
  sealId: string | null;
  option: OptionView;
}

/** What a direct change found when it tried to apply (see `applyAlone`). */
export type AloneOutcome =
  | { outcome: 'applied'; option: OptionView }
  | { outcome: 'sealed'; sealId: string }
  | { outcome: 'moved'; state: WriteState }
  | { outcome: 'no_tenant' };

/** The stored row columns the write functions answer with. */
type RowColumns = {
  is_set: boolean | null;
  value: JsonValue;
  version: number | null;
  updated_at: Date | null;
  updated_by_id: string | null;
  updated_by: string | null;
};
type StateRow = RowColumns & { session_role: string; session_rls: boolean; risk_level: number; seal_id: string | null };
type WriteRow = RowColumns & {
  outcome: 'applied' | 'sealed' | 'moved' | 'no_tenant';
  slug: string | null;
  risk_level: number | null;
  seal_id: string | null;
};
type DbChangeRow = Omit<WriteRow, 'slug' | 'outcome'> &
  UnlinkedEvent & { outcome: WriteRow['outcome'] | 'refused'; session_role: string; session_rls: boolean; event_id: string | null };
/** A change statement's answer for one change, and the linker's mark once it was seen committed. */
type ChangeRow = DbChangeRow & { seen: number };

/** Rows the direct path remembers as its guess of what is stored (see `applyAlone`). */
const KNOWN_ROWS = 20_000;
/** Direct changes sent together at most, in one statement (see `changes`). */
const MAX_BATCH = 64;
/** A change statement running longer than this (its commit normally takes a few ms) lets the next one go beside it. */
const STALL_MS = 50;
/**
 * Change statements in flight at most, stalled ones included: a quarter of the pool, and at least two
 * (one stalled, one beside it) once the pool leaves two connections to everything else. The embedded
 * database's pool of one runs one.
 */
const stalledBeside = (poolSize: number) => Math.max(1, Math.min(poolSize - 2, Math.max(2, Math.floor(poolSize / 4))));

/**
 * Storage of option values. Deliberately not exported from the library: values reach it only
 * through the ChangeGate, which decides whether a change applies now or needs approvals. Every
 * row is written by one SQL function, `cloison_write_option` (seal, version, upsert), and every
 * applied write drops this instance's cached values of the tenant once it has committed.
 */
@Injectable()
export class OptionStore {
  /** Each option's row as this instance last saw it stored: a guess the database checks, never an answer. */
  private readonly knownRows = new Map<string, StoredRow | null>();
  /**
   * Direct changes in as few transactions as they can share: a change that finds no change
   * statement running is sent alone at once; those that arrive while one runs go together in one
   * `cloison_change_options` (same rule per item, one commit for all). A statement stalled past
   * STALL_MS lets others run beside it (see `stalledBeside`), without its tenants' later changes,
   * which wait for it. Every caller still gets its own item's answer, and a batch the database
   * refuses is sent item by item.
   */
  private readonly changes: StatementBatcher<unknown[], ChangeRow>;

  constructor(
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(AuditLinker) private readonly linker: AuditLinker,
    @Inject(PrismaService) private readonly db: PrismaService,
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(ChangeListener) private readonly listener: ChangeListener,
  ) {
    const pool = this.db.database.pool;
    this.changes = new StatementBatcher<unknown[], ChangeRow>(
      {
        one: async (values) => {
          const { rows } = await pool.query<DbChangeRow>({ ...CHANGE_STATEMENT(this.db), values });
          const seen = this.linker.mark();
          recordChangeStatement('alone');
          if (!rows[0]) throw new Error('option change returned no outcome');
          return { ...rows[0], seen };
        },
        many: async (items) => {
          const values = (items[0] as unknown[]).map((_, arg) => items.map((item) => item[arg]));
          const { rows } = await pool.query<DbChangeRow & { item: number }>({ ...CHANGES_STATEMENT(this.db), values }).catch((err) => {
            if (refusedByDatabase(err)) recordChangeStatement('refused');
            throw err;
          });
          const seen = this.linker.mark();
          recordChangeStatement('batch', items.length);
          const answers: ChangeRow[] = [];
          for (const { item, ...row } of rows) answers[item - 1] = { ...row, seen };
          return answers;
        },
        retryAlone: refusedByDatabase,
        keyOf: (item) => item[0] as string,
      },
      { maxInFlight: stalledBeside(pool.options.max ?? 10), maxBatch: MAX_BATCH, stallMs: STALL_MS },
    );
  }

  /** Locks the tenant's row of `def` (if any) for the rest of the transaction. */
  async current(tx: PrismaTx, tenantId: string, def: OptionDefinition): Promise<OptionView> {
    return optionView(def, await this.lockRow(tx, tenantId, def.key));
  }

  /** The tenant's active seal (row share-locked until the transaction ends) and slug; null if it does not exist. */
  async sealOf(tx: PrismaTx, tenantId: string): Promise<{ sealId: string | null; slug: string } | null> {
    const rows = await tx.$queryRaw<{ seal_id: string | null; slug: string }[]>`
      SELECT seal_id, slug FROM cloison_tenant_seal(${tenantId}::uuid, true)`;
    return rows[0] ? { sealId: rows[0].seal_id, slug: rows[0].slug } : null;
  }

  /**
   * Writes `next` if the stored version is still `expectedVersion` (and the tenant has no active
   * seal but `allowedSeal`) and records the audit event in the same transaction, which must be a
   * TenantScopeService one bound to the tenant. Returns the option as it is after the write.
   */
  async write(
    tx: PrismaTx,
    tenantId: string,
    def: OptionDefinition,
    next: Change,
    expectedVersion: number,
    origin: WriteOrigin,
    allowedSeal: string | null = null,
  ): Promise<OptionView> {
    const before = await this.current(tx, tenantId, def);
    if (before.version !== expectedVersion) throw new VersionConflict(def.key, before.version);
    const { row, entry } = planWrite(tenantId, def, next, before, origin);
    const [w] = await tx.$queryRaw<WriteRow[]>`
      SELECT * FROM cloison_write_option(${tenantId}::uuid, ${def.key}, ${expectedVersion}::integer, ${row.isSet},
        ${JSON.stringify(row.value)}::jsonb, ${row.updatedAt}::timestamptz, ${row.updatedById}, ${row.updatedBy},
        ${allowedSeal}::uuid, NULL, NULL, NULL)`;
    if (!w) throw new Error('option write returned no outcome');
    if (w.outcome === 'sealed') throw new TenantSealed(w.slug ?? tenantId, w.seal_id ?? '');
    if (w.outcome === 'no_tenant') throw new Error(`tenant ${tenantId} is gone`);
    if (w.outcome === 'moved') throw new VersionConflict(def.key, w.version ?? 0);
    await this.audit.record(tx, entry);
    this.scopes.afterTransaction(tx, () => this.written(tenantId));
    return optionView(def, row);
  }

  /** What this instance last saw stored of the option: a guess for `applyAlone`, which the database checks. */
  known(tenantId: string, def: OptionDefinition): OptionView {
    return optionView(def, this.knownRows.get(knownKey(tenantId, def.key)) ?? null);
  }

  /**
   * The option of a tenant as stored now, the tenant's active seal and risk level; null if the
   * tenant does not exist. One statement, no lock: `applyAlone` checks that nothing moved since.
   */
  async peek(tenantId: string, def: OptionDefinition): Promise<WriteState | null> {
    const { rows } = await this.db.database.pool.query<StateRow>({ ...STATE_STATEMENT(this.db), values: [tenantId, def.key] });
    const r = rows[0];
    if (!r) return null;
    assertSessionRole(this.db.database.role.role, { role: r.session_role, rls: r.session_rls });
    return { sealId: r.seal_id, riskLevel: r.risk_level, option: optionView(def, this.remember(tenantId, def.key, r)) };
  }

  /**
   * Applies `next` over `before` in one statement, which is its own transaction and locks nothing
   * shared by other tenants: `cloison_change_option` writes the row with `cloison_write_option` and
   * appends the audit event to the tenant's chain, provided the option is still what `before` says
   * (version and value), the tenant is still at `riskLevel` (the approval decision's) and not
   * sealed. `before` may be a guess (`known`): when it is wrong nothing is written and the
   * outcome is 'moved', with what is stored, read in the same statement. Once applied, waits for
   * the linker to give the event its place in the global chain (one link run for every change
   * committed meanwhile); only then is the change acknowledged.
   */
  async applyAlone(
    tenantId: string,
    def: OptionDefinition,
    next: Change,
    before: OptionView,
    riskLevel: number,
    origin: WriteOrigin,
  ): Promise<AloneOutcome> {
    const { row, entry } = planWrite(tenantId, def, next, before, origin);
    const event = this.audit.prepare(entry);
    // Straight on the pool (one statement needs no Prisma transaction), shared with the changes sent meanwhile.
    const r = await this.changes.submit([
      tenantId,
      def.key,
      riskLevel,
      before.version,
      before.source === 'tenant',
      row.isSet,
      JSON.stringify(row.value),
      ...event.args,
    ]);
    // Without row-level security the function wrote nothing ('refused'): the session is refused as for every tenant statement.
    assertSessionRole(this.db.database.role.role, { role: r.session_role, rls: r.session_rls });
    if (r.outcome === 'refused') throw new Error('option change refused by the database');
    if (r.outcome === 'no_tenant') return { outcome: 'no_tenant' };
    if (r.outcome === 'sealed') return { outcome: 'sealed', sealId: r.seal_id ?? '' };
    if (r.outcome === 'moved') {
      const option = optionView(def, this.remember(tenantId, def.key, r));
      return { outcome: 'moved', state: { riskLevel: r.risk_level ?? riskLevel, sealId: r.seal_id, option } };
    }
    this.keep(tenantId, def.key, row);
    this.audit.appendedUnlinked(event, r);
    // Committed: this instance's next read sees it, linked or not (a failed link still leaves it committed).
    this.written(tenantId);
    await this.linker.link(r.seen);
    return { outcome: 'applied', option: optionView(def, row) };
  }

  /** Drops what this instance keeps of the tenant's values; other instances learn of it from the database. */
  private written(tenantId: string): void {
    this.listener.valuesWritten(tenantId);
  }

  /** Keeps the row a statement answered as the next guess of the option, and returns it. */
  private remember(tenantId: string, key: string, r: RowColumns): StoredRow | null {
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
    this.keep(tenantId, key, stored);
    return stored;
  }

  private keep(tenantId: string, key: string, stored: StoredRow | null): void {
    const k = knownKey(tenantId, key);
    // Map order is insertion order: re-inserted, a row is the last to be dropped.
    this.knownRows.delete(k);
    if (this.knownRows.size >= KNOWN_ROWS) this.knownRows.delete(this.knownRows.keys().next().value as string);
    this.knownRows.set(k, stored);
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
}

const knownKey = (tenantId: string, key: string) => `${tenantId}/${key}`;

const STATE_STATEMENT = (db: PrismaService) =>
  hotStatement(db.database, 'cloison_option_write_state', 'SELECT * FROM cloison_option_write_state($1::uuid, $2::text)');
const CHANGE_ARGS = `$1::uuid, $2::text, $3::integer, $4::integer, $5::boolean, $6::boolean, $7::jsonb, ${auditPlaceholders(7)}`;
const CHANGE_STATEMENT = (db: PrismaService) =>
  hotStatement(db.database, 'cloison_change_option', `SELECT * FROM cloison_change_option(${CHANGE_ARGS})`);
// The same arguments, each an array with one element per change.
const CHANGES_TEXT = `SELECT * FROM cloison_change_options(${CHANGE_ARGS.replace(/::(\w+)/g, '::$1[]')})`;
const CHANGES_STATEMENT = (db: PrismaService) => hotStatement(db.database, 'cloison_change_options', CHANGES_TEXT);

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
