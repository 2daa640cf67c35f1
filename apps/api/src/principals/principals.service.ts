import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { PrincipalIssuer, type IssuedPrincipal } from '../../../../libs/identity/src/index.js';
import type { PolicyContext } from '../../../../libs/policy/src/index.js';
import { TenantDirectory, TenantScopeService } from '../../../../libs/tenancy/src/index.js';
import type { CreatePrincipalBody } from './principals.schemas.js';

@Injectable()
export class PrincipalsService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(PrincipalIssuer) private readonly issuer: PrincipalIssuer,
  ) {}

  async create(ctx: PolicyContext, body: CreatePrincipalBody): Promise<IssuedPrincipal> {
    const tenant = body.tenant === undefined ? null : await this.tenants.resolve(ctx.principal, body.tenant);
    if (body.tenant !== undefined && !tenant) {
      throw new NotFoundException({
        message: `tenant "${body.tenant}" not found`,
        details: [{ pointer: '/tenant', rule: 'exists', message: 'no such tenant' }],
      });
    }
    // A tenant-bound principal is written inside its tenant's scope; others need the cross-tenant one.
    const scope = tenant ? { tenantId: tenant.id } : 'all-tenants';
    return this.scopes.run(scope, (tx) =>
      this.issuer.issue(tx, { name: body.name, role: body.role, tenant }, ctx.principal, ctx.requestId),
    );
  }
}
