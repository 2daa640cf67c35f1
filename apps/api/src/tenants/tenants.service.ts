import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { accessibleBy } from '@casl/prisma/runtime';
import { AuditRecorder } from '../../../../libs/audit/src/index.js';
import type { Tenant } from '../../../../libs/persistence/src/index.js';
import type { PolicyContext } from '../../../../libs/policy/src/index.js';
import { TenantScopeService } from '../../../../libs/tenancy/src/index.js';
import type { CreateTenantBody } from './tenants.schemas.js';

export interface TenantView {
  id: string;
  slug: string;
  name: string;
  riskLevel: number;
  createdAt: string;
}

const toView = (t: Tenant): TenantView => ({
  id: t.id,
  slug: t.slug,
  name: t.name,
  riskLevel: t.riskLevel,
  createdAt: t.createdAt.toISOString(),
});

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { originalCode?: string } };
  return e?.code === 'P2002' || e?.cause?.originalCode === '23505';
}

@Injectable()
export class TenantsService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  /** A new tenant starts with nothing of its own: every option at its registry default. */
  async create(ctx: PolicyContext, body: CreateTenantBody): Promise<TenantView> {
    const id = randomUUID();
    try {
      return await this.scopes.run({ tenantId: id }, async (tx) => {
        const tenant = await tx.tenant.create({ data: { id, slug: body.slug, name: body.name, riskLevel: body.riskLevel } });
        await this.audit.record(tx, {
          actor: ctx.principal,
          action: 'tenant.created',
          tenantId: id,
          after: { slug: tenant.slug, name: tenant.name, riskLevel: tenant.riskLevel },
          requestId: ctx.requestId,
          at: tenant.createdAt,
        });
        return toView(tenant);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictException(`a tenant with slug "${body.slug}" already exists`);
      throw err;
    }
  }

  async list(ctx: PolicyContext): Promise<TenantView[]> {
    const tenants = await this.scopes.runRead(this.scopes.readScopeOf(ctx.principal), (tx) =>
      tx.tenant.findMany({ where: accessibleBy(ctx.ability, 'read').ofType('Tenant'), orderBy: { slug: 'asc' } }),
    );
    return tenants.map(toView);
  }

  async get(ctx: PolicyContext): Promise<TenantView> {
    const ref = ctx.tenant;
    if (!ref) throw new Error('tenant route without a resolved tenant');
    const tenant = await this.scopes.runRead({ tenantId: ref.id }, (tx) =>
      tx.tenant.findFirst({ where: { AND: [accessibleBy(ctx.ability, 'read').ofType('Tenant'), { id: ref.id }] } }),
    );
    // Found by the guard on the primary but not (yet) on a lagging replica.
    if (!tenant) throw new NotFoundException(`tenant "${ref.slug}" not found`);
    return toView(tenant);
  }
}
