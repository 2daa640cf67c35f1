import { Inject, Injectable } from '@nestjs/common';
import { PrismaService, ReadPrismaService, assertSessionRole, type Database, type PrismaTx, type SessionState } from '#persistence';
import { spansTenants, type AuthenticatedPrincipal } from './principal.js';

/**
 * Which rows a unit of work may touch, enforced by PostgreSQL row-level security:
 * one tenant (reads and writes), or every tenant (reads by roles that span tenants).
 */
export type TenantScope = { tenantId: string } | 'all-tenants';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Waiting for a connection is normal under load (and on the one-connection embedded server).
const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 };
// Maintenance (the catalog reconciliation at boot) touches every option and may follow a default for
// thousands of tenants, as a change across named tenants may: Prisma's 5 s default fails boot on a busy machine.
const MAINTENANCE_TX_OPTIONS = { maxWait: 10_000, timeout: 300_000 };

type Setting = 'app.tenant_id' | 'app.all_tenants';

/**
 * Database functions that bind the statement's own transaction to the tenant named by their first
 * argument (set_config, transaction-local), read only, and report the session on every row.
 */
export type ScopedReadFunction = 'cloison_read_option' | 'cloison_read_options';

/** The session columns every row of a ScopedReadFunction carries. */
export interface ScopedRow {
  session_role: string;
  session_rls: boolean;
}

/** The one place a transaction is bound to tenants. */
@Injectable()
export class TenantScopeService {
  /** What to do once each open unit of work has ended (see `afterTransaction`). */
  private readonly ending = new WeakMap<PrismaTx, (() => void)[]>();

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(ReadPrismaService) private readonly reader: ReadPrismaService,
  ) {}

  /**
   * Runs `fn` once the unit of work `tx` (opened here) has ended, after its commit, or after its
   * failure: a commit whose answer was lost may still have happened, so `fn` must be harmless either
   * way (dropping what an instance keeps of a tenant's values, say).
   */
  afterTransaction(tx: PrismaTx, fn: () => void): void {
    const hooks = this.ending.get(tx);
    if (!hooks) throw new Error('afterTransaction needs a unit of work opened by TenantScopeService');
    hooks.push(fn);
  }

  /** Runs `fn` in one transaction whose queries see only the rows `scope` allows. */
  async run<T>(scope: TenantScope, fn: (tx: PrismaTx) => Promise<T>): Promise<T> {
    return this.within(this.prisma, scope, false, fn);
  }

  /**
   * Same, read-only, on the read replica when one is configured (GET routes). What it reads
   * may lag the primary by the replication delay; never use it to decide a write.
   */
  async runRead<T>(scope: TenantScope, fn: (tx: PrismaTx) => Promise<T>): Promise<T> {
    return this.within(this.reader, scope, true, fn);
  }

  /**
   * A read as one statement (one round trip, no interactive transaction) on the read pool: `fn`
   * binds the statement's implicit transaction to the tenant and reads under row-level security
   * as the restricted role; the session it reports is checked as for every tenant transaction.
   */
  readOne<R extends ScopedRow>(tenantId: string, fn: ScopedReadFunction, ...args: string[]): Promise<R[]> {
    return this.readOneOn(this.reader.database.readPool, tenantId, fn, args);
  }

  /**
   * Same, on the primary: for what an instance keeps until the database announces a change. A
   * replica might not yet have replayed the change whose announcement emptied the cache, and what
   * was read there would then be kept as if current.
   */
  readOnePrimary<R extends ScopedRow>(tenantId: string, fn: ScopedReadFunction, ...args: string[]): Promise<R[]> {
    return this.readOneOn(this.prisma.database.pool, tenantId, fn, args);
  }

  private async readOneOn<R extends ScopedRow>(
    pool: Database['readPool'],
    tenantId: string,
    fn: ScopedReadFunction,
    args: string[],
  ): Promise<R[]> {
    if (!UUID.test(tenantId ?? '')) throw new Error('tenant scope requires a tenant id');
    const params = args.map((_, i) => `$${i + 2}::text`).join(', ');
    const { rows } = await pool.query<R>(`SELECT * FROM ${fn}($1::uuid${params ? `, ${params}` : ''})`, [tenantId, ...args]);
    const first = rows[0];
    assertSessionRole(this.prisma.database.role.role, first && { role: first.session_role, rls: first.session_rls });
    return rows;
  }

  private within<T>(
    client: PrismaService | ReadPrismaService,
    scope: TenantScope,
    readOnly: boolean,
    fn: (tx: PrismaTx) => Promise<T>,
  ): Promise<T> {
    if (scope !== 'all-tenants' && !UUID.test(scope.tenantId ?? '')) {
      // Never let an undefined or malformed id fall through to an unscoped query.
      throw new Error('tenant scope requires a tenant id');
    }
    return this.transaction(
      client,
      async (tx) => {
        if (readOnly) await tx.$executeRawUnsafe('SET TRANSACTION READ ONLY');
        if (scope === 'all-tenants') await this.bind(tx, 'app.all_tenants', 'on');
        else await this.bind(tx, 'app.tenant_id', scope.tenantId);
        return fn(tx);
      },
      TX_OPTIONS,
    );
  }

  private async transaction<T>(
    client: PrismaService | ReadPrismaService,
    fn: (tx: PrismaTx) => Promise<T>,
    options?: typeof TX_OPTIONS,
  ): Promise<T> {
    const hooks: (() => void)[] = [];
    try {
      return await client.$transaction((tx) => {
        this.ending.set(tx, hooks);
        return fn(tx);
      }, options);
    } finally {
      for (const hook of hooks) hook();
    }
  }

  /**
   * One transaction over several named tenants, visited one at a time: `enter(id)` switches the
   * transaction to that tenant, so each statement still sees and writes exactly one tenant,
   * while the whole set commits or fails together. Only ids listed in `tenantIds` can be entered.
   */
  async runAcross<T>(
    tenantIds: readonly string[],
    fn: (tx: PrismaTx, enter: (tenantId: string) => Promise<void>) => Promise<T>,
  ): Promise<T> {
    if (tenantIds.length === 0 || tenantIds.some((id) => !UUID.test(id ?? ''))) {
      throw new Error('a multi-tenant unit of work names each tenant by id');
    }
    const allowed = new Set(tenantIds);
    return this.transaction(
      this.prisma,
      (tx) => {
        const enter = async (tenantId: string) => {
          if (!allowed.has(tenantId)) throw new Error(`tenant ${tenantId} is not part of this unit of work`);
          await this.bind(tx, 'app.tenant_id', tenantId);
        };
        return fn(tx, enter);
      },
      MAINTENANCE_TX_OPTIONS,
    );
  }

  /**
   * System work at boot (catalog reconciliation), and an operator's work that reaches several tenants'
   * chains (removing a key they signed with): reads see every tenant and global records may be
   * written, while tenant rows are still written only for the tenant last `enter`ed.
   */
  async runMaintenance<T>(fn: (tx: PrismaTx, enter: (tenantId: string) => Promise<void>) => Promise<T>): Promise<T> {
    return this.transaction(
      this.prisma,
      async (tx) => {
        await this.bind(tx, 'app.all_tenants', 'on');
        const enter = async (tenantId: string) => {
          if (!UUID.test(tenantId ?? '')) throw new Error('tenant scope requires a tenant id');
          await this.bind(tx, 'app.tenant_id', tenantId);
        };
        return fn(tx, enter);
      },
      MAINTENANCE_TX_OPTIONS,
    );
  }

  /**
   * Sets a transaction-local scope setting and, in the same statement, checks the session still
   * works as the restricted role checked at boot with row security applying: a session switched
   * under the service (RESET ROLE on the shared embedded session, a tampered pooled connection)
   * fails the unit of work instead of serving it with row-level security off.
   */
  private async bind(tx: PrismaTx, setting: Setting, value: string): Promise<void> {
    const rows = await tx.$queryRaw<SessionState[]>`
      SELECT set_config(${setting}, ${value}, true) AS bound,
             current_user::text AS role, row_security_active('public.tenants') AS rls`;
    assertSessionRole(this.prisma.database.role.role, rows[0]);
  }

  /** The widest scope a principal may read with. */
  readScopeOf(principal: AuthenticatedPrincipal): TenantScope {
    if (spansTenants(principal.role)) return 'all-tenants';
    if (!principal.tenantId) throw new Error(`principal ${principal.id} is tenant-bound but has no tenant`);
    return { tenantId: principal.tenantId };
  }
}
