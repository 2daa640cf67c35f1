import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { RuleConflict, RuleRefused } from '../../../../libs/change-control/src/index.js';
import { Authenticator, PrincipalIssuer, PrincipalRevoker, type IssuedPrincipal, type RevokedPrincipal } from '../../../../libs/identity/src/index.js';
import { authorizeObject, type PolicyContext } from '../../../../libs/policy/src/index.js';
import { TenantDirectory, TenantScopeService } from '../../../../libs/tenancy/src/index.js';
import { isUniqueViolation } from '../common/database-errors.js';
import type { CreatePrincipalBody } from './principals.schemas.js';

@Injectable()
export class PrincipalsService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(PrincipalIssuer) private readonly issuer: PrincipalIssuer,
    @Inject(PrincipalRevoker) private readonly revoker: PrincipalRevoker,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
  ) {}

  async create(ctx: PolicyContext, body: CreatePrincipalBody): Promise<IssuedPrincipal> {
    const tenant = body.tenant === undefined ? null : await this.tenants.resolve(ctx.principal, body.tenant);
    if (body.tenant !== undefined && !tenant) {
      throw new NotFoundException({
        message: `tenant "${body.tenant}" not found`,
        details: [{ pointer: '/tenant', rule: 'exists', message: 'no such tenant' }],
      });
    }
    // A person at the identity provider is linked to the one issuer whose JWTs are accepted.
    const issuer = this.authenticator.oidcIssuer;
    if (body.oidc && issuer === undefined) {
      throw new RuleRefused('staff sign-in is not configured (OIDC_ISSUER unset)', 'oidc_configured', '/oidc');
    }
    const oidc = body.oidc && issuer !== undefined ? { issuer, subject: body.oidc.subject } : undefined;
    // A tenant-bound principal is written inside its tenant's scope; others need the cross-tenant one.
    const scope = tenant ? { tenantId: tenant.id } : 'all-tenants';
    try {
      return await this.scopes.run(scope, (tx) =>
        this.issuer.issue(tx, { name: body.name, role: body.role, tenant, oidc }, ctx.principal, ctx.requestId),
      );
    } catch (err) {
      // Only the (issuer, subject) pair can collide: token hashes are random.
      if (oidc && isUniqueViolation(err)) {
        throw new RuleConflict(`subject "${oidc.subject}" of ${oidc.issuer} is already registered`, 'unique', '/oidc/subject');
      }
      throw err;
    }
  }

  /**
   * Revokes a principal visible to the caller; a tenant-bound one is changed inside its tenant's
   * scope. One the caller cannot see is not found (404) before the caller's role is judged (403).
   */
  async revoke(ctx: PolicyContext, id: string): Promise<RevokedPrincipal> {
    const found = await this.scopes.run(this.scopes.readScopeOf(ctx.principal), async (tx) => {
      const p = await tx.principal.findUnique({ where: { id }, select: { id: true, tenantId: true } });
      if (!p) return null;
      const tenant = p.tenantId ? await tx.tenant.findUnique({ where: { id: p.tenantId }, select: { id: true, slug: true } }) : null;
      return { id: p.id, tenant };
    });
    if (!found) throw new NotFoundException(`principal ${id} not found`);
    authorizeObject(ctx.ability, ctx.principal.role, 'delete', 'Principal', { id: found.id, tenantId: found.tenant?.id ?? null });
    if (id === ctx.principal.id) throw new ConflictException('a principal cannot revoke itself; ask another operator');
    const scope = found.tenant ? { tenantId: found.tenant.id } : 'all-tenants';
    const revoked = await this.scopes.run(scope, (tx) => this.revoker.revoke(tx, found, ctx.principal, ctx.requestId));
    if (!revoked) throw new NotFoundException(`principal ${id} not found`);
    // Other instances drop the cached token when the database announces it; this one must not
    // keep serving it until then: the token stops working once this answer is sent.
    this.authenticator.cache.forgetPrincipal(id);
    return revoked;
  }
}
