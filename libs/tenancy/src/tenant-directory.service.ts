import { Inject, Injectable } from '@nestjs/common';
import type { AuthenticatedPrincipal } from './principal.js';
import type { TenantRef } from './request-context.js';
import { TenantScopeService } from './tenant-scope.service.js';

/** Finds tenants by slug through the principal's own read scope, so RLS decides visibility. */
@Injectable()
export class TenantDirectory {
  constructor(@Inject(TenantScopeService) private readonly scopes: TenantScopeService) {}

  async resolve(principal: AuthenticatedPrincipal, slug: string): Promise<TenantRef | null> {
    return this.scopes.run(this.scopes.readScopeOf(principal), (tx) =>
      tx.tenant.findUnique({ where: { slug }, select: { id: true, slug: true, name: true, riskLevel: true } }),
    );
  }
}
