import { Inject, Injectable } from '@nestjs/common';
import type { AuthenticatedPrincipal } from './principal.js';
import type { TenantRef } from './request-context.js';
import { TenantCache } from './tenant.cache.js';
import { TenantScopeService } from './tenant-scope.service.js';

/** What a slug can look like; anything else names no tenant and never reaches the database. */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Finds tenants by slug through the principal's own read scope, so RLS decides visibility.
 * Answers found are kept per read scope (see TenantCache), invalidated like the principal cache.
 */
@Injectable()
export class TenantDirectory {
  readonly cache = new TenantCache();

  constructor(@Inject(TenantScopeService) private readonly scopes: TenantScopeService) {}

  async resolve(principal: AuthenticatedPrincipal, slug: string): Promise<TenantRef | null> {
    if (typeof slug !== 'string' || !SLUG.test(slug)) return null;
    const scope = this.scopes.readScopeOf(principal);
    // The cache key is the scope the lookup runs in, never anything the request chose.
    const scopeKey = scope === 'all-tenants' ? '*' : scope.tenantId;
    const cached = this.cache.lookup(scopeKey, slug);
    if (cached) return cached;
    const generation = this.cache.generation;
    const found = await this.scopes.run(scope, (tx) =>
      tx.tenant.findUnique({ where: { slug }, select: { id: true, slug: true, name: true, riskLevel: true } }),
    );
    if (found) this.cache.store(scopeKey, found, generation);
    return found;
  }
}
