import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AuditRecorder } from '#audit';
import { RuleConflict, RuleRefused } from '#change-control';
import { Authenticator } from './authenticator.service.js';
import { LineageReader } from './lineage.reader.js';
import { PrincipalIssuer, type IssuedPrincipal } from './principal.issuer.js';
import { PrincipalRevoker, type RevokedPrincipal } from './principal.revoker.js';
import { authorizeObject, type PolicyContext } from '#policy';
import { actorOf, TenantDirectory, TenantScopeService } from '#tenancy';
import { isUniqueViolation } from '#http';
import { hasClientAdmin } from './client-admins.reader.js';
import { fileRequest, type PrincipalRequestView } from './principal-request.store.js';
import type { CreatePrincipalBody } from './principals.schemas.js';

export type CreateOutcome = { kind: 'issued'; principal: IssuedPrincipal } | { kind: 'pending'; request: PrincipalRequestView };
export type RevokeOutcome = { kind: 'revoked'; principal: RevokedPrincipal } | { kind: 'pending'; request: PrincipalRequestView };

const subjectTaken = (oidc: { issuer: string; subject: string }) =>
  new RuleConflict(`subject "${oidc.subject}" of ${oidc.issuer} is already registered`, 'unique', '/oidc/subject');

/** Arbitrary key of the lock under which the last operator is counted before a revocation. */
const OPERATORS_LOCK = 0x6f707273;

@Injectable()
export class PrincipalsService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Inject(PrincipalIssuer) private readonly issuer: PrincipalIssuer,
    @Inject(PrincipalRevoker) private readonly revoker: PrincipalRevoker,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(LineageReader) private readonly lineages: LineageReader,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  /**
   * A token answered to its creator stays the creator's (same lineage). A new operator is a
   * request another operator approves; client admins of a tenant that has one join by invitation.
   */
  async create(ctx: PolicyContext, body: CreatePrincipalBody): Promise<CreateOutcome> {
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
    const tokenExpiresAt = body.tokenExpiresAt === undefined ? undefined : new Date(body.tokenExpiresAt);
    if (tokenExpiresAt && tokenExpiresAt.getTime() <= Date.now()) {
      throw new RuleRefused('the token would have expired already', 'future', '/tokenExpiresAt');
    }
    if (tokenExpiresAt && body.role === 'operator') {
      throw new RuleRefused(
        'an operator is approved by another operator and its token collected once: it takes no expiry here',
        'operator_request',
        '/tokenExpiresAt',
      );
    }
    if (body.role === 'operator') {
      const request = await this.scopes.run('all-tenants', async (tx) => {
        // Said when filing, not once another operator has approved an account that cannot be linked.
        if (oidc && (await tx.principal.count({ where: { oidcIssuer: oidc.issuer, oidcSubject: oidc.subject } }))) throw subjectTaken(oidc);
        return fileRequest(tx, this.audit, { kind: 'operator', tenant: null, name: body.name, oidc }, actorOf(ctx), ctx.requestId);
      });
      return { kind: 'pending', request };
    }
    // A tenant-bound principal is written inside its tenant's scope; others need the cross-tenant one.
    const scope = tenant ? { tenantId: tenant.id } : 'all-tenants';
    const principal = await this.scopes
      .run(scope, async (tx) => {
        if (tenant && body.role === 'client_admin') {
          await tx.$queryRaw`SELECT id FROM tenants WHERE id = ${tenant.id}::uuid FOR NO KEY UPDATE`;
          if (await hasClientAdmin(tx, tenant.id)) {
            throw new RuleConflict(
              `tenant "${tenant.slug}" has a client admin: further ones join by invitation (POST /v1/tenants/${tenant.slug}/invitations)`,
              'client_admin_by_invitation',
              '/role',
            );
          }
        }
        const lineage = (await this.lineages.lineages(tx, [ctx.principal.id])).get(ctx.principal.id)?.lineageId ?? ctx.principal.id;
        // An account linked by the caller could be the caller's own: it counts as the caller's person.
        return this.issuer.issue(
          tx,
          { name: body.name, role: body.role, tenant, lineage, oidc, tokenExpiresAt },
          ctx.principal,
          ctx.requestId,
        );
      })
      .catch((err: unknown) => {
        // Only the (issuer, subject) pair can collide: token hashes are random.
        if (oidc && isUniqueViolation(err)) {
          throw subjectTaken(oidc);
        }
        throw err;
      });
    return { kind: 'issued', principal };
  }

  /**
   * Revokes a principal visible to the caller; a tenant-bound one is changed inside its tenant's
   * scope. One the caller cannot see is not found (404) before the caller's role is judged (403).
   * A client admin is revoked only with the approval of one of its tenant's client admins; an
   * operator only while operators of two people (lineages) remain.
   */
  async revoke(ctx: PolicyContext, id: string): Promise<RevokeOutcome> {
    const found = await this.scopes.run(this.scopes.readScopeOf(ctx.principal), async (tx) => {
      const p = await tx.principal.findUnique({
        where: { id },
        select: { id: true, name: true, role: true, tenantId: true, revokedAt: true },
      });
      if (!p) return null;
      const tenant = p.tenantId ? await tx.tenant.findUnique({ where: { id: p.tenantId }, select: { id: true, slug: true } }) : null;
      return { id: p.id, name: p.name, role: p.role, revoked: p.revokedAt !== null, tenant };
    });
    if (!found) throw new NotFoundException(`principal ${id} not found`);
    authorizeObject(ctx.ability, ctx.principal.role, 'delete', 'Principal', { id: found.id, tenantId: found.tenant?.id ?? null });
    if (id === ctx.principal.id) throw new ConflictException('a principal cannot revoke itself; ask another operator');
    const tenant = found.tenant;
    if (tenant && found.role === 'client_admin' && !found.revoked) {
      const request = await this.scopes.run({ tenantId: tenant.id }, (tx) =>
        fileRequest(tx, this.audit, { kind: 'revocation', tenant, name: found.name, targetId: found.id }, actorOf(ctx), ctx.requestId),
      );
      return { kind: 'pending', request };
    }
    const scope = tenant ? { tenantId: tenant.id } : 'all-tenants';
    const revoked = await this.scopes.run(scope, async (tx) => {
      if (found.role === 'operator') {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${OPERATORS_LOCK})`;
        // Four-eyes needs two people: the operators left must still belong to two lineages.
        const left = await tx.principal.findMany({
          where: { role: 'operator', revokedAt: null, id: { not: id } },
          select: { lineageId: true },
          distinct: ['lineageId'],
        });
        if (left.length < 2 && !found.revoked) {
          throw new RuleConflict(
            'the last operator of another person cannot be revoked: operators of at least two people must remain, or nobody could approve anything again',
            'last_operator',
          );
        }
      }
      return this.revoker.revoke(tx, { id: found.id, tenant }, ctx.principal, ctx.requestId);
    });
    if (!revoked) throw new NotFoundException(`principal ${id} not found`);
    // Other instances drop the cached token when the database announces it; this one must not
    // keep serving it until then: the token stops working once this answer is sent.
    this.authenticator.cache.forgetPrincipal(id);
    return { kind: 'revoked', principal: revoked };
  }
}
