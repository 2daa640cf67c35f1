import { Inject, Injectable } from '@nestjs/common';
import { accessibleBy } from '@casl/prisma/runtime';
import type { PolicyContext } from '#policy';
import { INTEGER, STRING, arrayOf, nullable, objectOf } from '#registry';
import { TenantScopeService } from '#tenancy';

export interface TenantStatus {
  tenant: string;
  /** The seal in force, else the one proposed; null when neither. */
  seal: { id: string; label: string; status: 'active' | 'proposed' } | null;
  pendingRequests: number;
}

export const TENANT_STATUS_SCHEMA = arrayOf(
  objectOf({ tenant: STRING, seal: nullable(objectOf({ id: STRING, label: STRING, status: STRING })), pendingRequests: INTEGER }),
);

/** For each tenant the caller may read: whether it is sealed and how many changes wait for approval. */
@Injectable()
export class TenantStatusService {
  constructor(@Inject(TenantScopeService) private readonly scopes: TenantScopeService) {}

  async list(ctx: PolicyContext): Promise<TenantStatus[]> {
    const now = new Date();
    const data = await this.scopes.runRead(this.scopes.readScopeOf(ctx.principal), async (tx) => ({
      tenants: await tx.tenant.findMany({
        where: accessibleBy(ctx.ability, 'read').ofType('Tenant'),
        select: { id: true, slug: true },
        orderBy: { slug: 'asc' },
      }),
      seals: await tx.seal.findMany({
        where: { AND: [accessibleBy(ctx.ability, 'read').ofType('Seal'), { status: { in: ['active', 'proposed'] } }] },
        select: { id: true, label: true, status: true, tenantId: true },
        orderBy: { proposedAt: 'desc' },
      }),
      pending: await tx.changeRequest.groupBy({
        by: ['tenantId'],
        where: { AND: [accessibleBy(ctx.ability, 'read').ofType('ChangeRequest'), { status: 'pending', expiresAt: { gt: now } }] },
        _count: { _all: true },
      }),
    }));
    return data.tenants.map((t) => {
      const seals = data.seals.filter((s) => s.tenantId === t.id);
      const seal = seals.find((s) => s.status === 'active') ?? seals[0];
      return {
        tenant: t.slug,
        seal: seal ? { id: seal.id, label: seal.label, status: seal.status as 'active' | 'proposed' } : null,
        pendingRequests: data.pending.find((p) => p.tenantId === t.id)?._count._all ?? 0,
      };
    });
  }
}
