import { Inject, Injectable } from '@nestjs/common';
import type { AuthenticatedPrincipal } from './principal.js';
import type { TenantRef } from './request-context.js';
import { TenantScopeService } from './tenant-scope.service.js';

/** What a slug can look like; anything else names no tenant and never reaches the database. */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Finds tenants by slug through the principal's own read scope, so RLS decides visibility. */
@Injectable()
export class TenantDirectory {
  constructor(@Inject(TenantScopeService) private readonly scopes: TenantScopeService) {}

  async resolve(principal: AuthenticatedPrincipal, slug: string): Promise<TenantRef | null> {
    if (typeof slug !== 'string' || !SLUG.test(slug)) return null;
    return this.scopes.run(this.scopes.readScopeOf(principal), (tx) =>
      tx.tenant.findUnique({ where: { slug }, select: { id: true, slug: true, name: true, riskLevel: true } }),
    );
  }
}
