import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { accessibleBy } from '@casl/prisma/runtime';
import type { PolicyContext } from '#policy';
import { STRING, arrayOf, objectOf } from '#registry';
import { TenantDirectory, TenantScopeService, type TenantScope } from '#tenancy';

export interface AuditActor {
  id: string;
  name: string;
  role: string;
}

export const AUDIT_ACTORS_SCHEMA = arrayOf(objectOf({ id: STRING, name: STRING, role: STRING }));

/**
 * The people who appear in the log the caller may read, by name: what a person picks from to
 * filter the log by who acted, instead of typing an id.
 */
@Injectable()
export class AuditActorsService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
  ) {}

  forTenant(ctx: PolicyContext): Promise<AuditActor[]> {
    if (!ctx.tenant) throw new Error('tenant audit route without a resolved tenant');
    return this.list(ctx, { tenantId: ctx.tenant.id }, ctx.tenant.id);
  }

  async across(ctx: PolicyContext, slug?: string): Promise<AuditActor[]> {
    if (slug === undefined) return this.list(ctx, this.scopes.readScopeOf(ctx.principal), undefined);
    const tenant = await this.tenants.resolve(ctx.principal, slug);
    if (!tenant)
      throw new NotFoundException({
        message: `tenant "${slug}" not found`,
        details: [{ pointer: '/tenant', rule: 'exists', message: 'no such tenant' }],
      });
    return this.list(ctx, { tenantId: tenant.id }, tenant.id);
  }

  private async list(ctx: PolicyContext, scope: TenantScope, tenantId: string | undefined): Promise<AuditActor[]> {
    const rows = await this.scopes.runRead(scope, (tx) =>
      tx.auditEvent.findMany({
        where: { AND: [accessibleBy(ctx.ability, 'read').ofType('AuditEvent'), tenantId ? { tenantId } : {}] },
        distinct: ['actorId'],
        select: { actorId: true, actorName: true, actorRole: true },
        orderBy: { actorId: 'asc' },
      }),
    );
    return rows
      .map((r) => ({ id: r.actorId, name: r.actorName, role: r.actorRole }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }
}
