import { Inject, Injectable } from '@nestjs/common';
import { PrismaService, ReadPrismaService, type PrismaTx } from '../../persistence/src/index.js';
import { spansTenants, type AuthenticatedPrincipal } from './principal.js';

/**
 * Which rows a unit of work may touch, enforced by PostgreSQL row-level security:
 * one tenant (reads and writes), or every tenant (reads by roles that span tenants).
 */
export type TenantScope = { tenantId: string } | 'all-tenants';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Waiting for a connection is normal under load (and on the one-connection embedded server).
const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 };

/** The one place a transaction is bound to tenants. */
@Injectable()
export class TenantScopeService {
  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(ReadPrismaService) private readonly reader: ReadPrismaService,
  ) {}

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

  private within<T>(client: PrismaService | ReadPrismaService, scope: TenantScope, readOnly: boolean, fn: (tx: PrismaTx) => Promise<T>): Promise<T> {
    if (scope !== 'all-tenants' && !UUID.test(scope.tenantId ?? '')) {
      // Never let an undefined or malformed id fall through to an unscoped query.
      throw new Error('tenant scope requires a tenant id');
    }
    return client.$transaction(async (tx) => {
      if (readOnly) await tx.$executeRawUnsafe('SET TRANSACTION READ ONLY');
      if (scope === 'all-tenants') {
        await tx.$executeRaw`SELECT set_config('app.all_tenants', 'on', true)`;
      } else {
        await tx.$executeRaw`SELECT set_config('app.tenant_id', ${scope.tenantId}, true)`;
      }
      return fn(tx);
    }, TX_OPTIONS);
  }

  /** The widest scope a principal may read with. */
  readScopeOf(principal: AuthenticatedPrincipal): TenantScope {
    if (spansTenants(principal.role)) return 'all-tenants';
    if (!principal.tenantId) throw new Error(`principal ${principal.id} is tenant-bound but has no tenant`);
    return { tenantId: principal.tenantId };
  }
}
