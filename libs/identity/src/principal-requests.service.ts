import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { AuditRecorder } from '#audit';
import { RuleConflict } from '#change-control';
import { Authenticator } from './authenticator.service.js';
import { actsForClient, hasClientAdmin, notClientPerson } from './client-admins.reader.js';
import { LineageReader } from './lineage.reader.js';
import { PrincipalIssuer, type IssuedPrincipal } from './principal.issuer.js';
import { PrincipalRevoker } from './principal.revoker.js';
import type { PrincipalRequest, PrismaTx } from '#persistence';
import type { PolicyContext } from '#policy';
import { actorOf, pathTenant, TenantScopeService, type Actor } from '#tenancy';
import { InvitationsService } from './invitations.service.js';
import { lockRequest, requestView, type PrincipalRequestView } from './principal-request.store.js';

/**
 * Decisions on requests that change who may act. A new operator: another operator outside the
 * requester's lineage approves; the token then goes once to the requester (never the approver),
 * and the new operator counts as the requester. A client admin invited or revoked by an
 * operator: a client admin of the tenant approves; while the tenant has none of its own (its first
 * people, or a set-up admin made by an operator), another operator outside the requester's lineage.
 */
@Injectable()
export class PrincipalRequestsService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(LineageReader) private readonly lineages: LineageReader,
    @Inject(PrincipalIssuer) private readonly issuer: PrincipalIssuer,
    @Inject(PrincipalRevoker) private readonly revoker: PrincipalRevoker,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(InvitationsService) private readonly invitations: InvitationsService,
  ) {}

  list(): Promise<PrincipalRequestView[]> {
    return this.scopes.runRead('all-tenants', async (tx) => {
      const rows = await tx.principalRequest.findMany({ where: { kind: 'operator' }, orderBy: { createdAt: 'desc' } });
      return rows.map((r) => requestView(r, null));
    });
  }

  listInTenant(ctx: PolicyContext): Promise<PrincipalRequestView[]> {
    const tenant = pathTenant(ctx);
    return this.scopes.runRead({ tenantId: tenant.id }, async (tx) => {
      const rows = await tx.principalRequest.findMany({ where: { tenantId: tenant.id }, orderBy: { createdAt: 'desc' } });
      return rows.map((r) => requestView(r, tenant.slug));
    });
  }

  /** An operator outside the requester's lineage approves a new operator. */
  approveOperator(ctx: PolicyContext, id: string): Promise<PrincipalRequestView> {
    return this.scopes.run('all-tenants', async (tx) => {
      const row = await this.pending(tx, id, (r) => r.kind === 'operator');
      await this.assertCounts(tx, ctx, row);
      return this.decide(tx, ctx, row, 'approved', null, null);
    });
  }

  /**
   * The requester, and only they, collects the approved operator's token, once (an operator linked to
   * an identity-provider account is created then too, and signs in there: no token).
   */
  async collect(ctx: PolicyContext, id: string): Promise<IssuedPrincipal> {
    return this.scopes.run('all-tenants', async (tx) => {
      const row = await lockRequest(tx, id);
      if (row?.kind !== 'operator' || row.requestedById !== ctx.principal.id)
        throw new NotFoundException(`principal request "${id}" not found`);
      if (row.status !== 'approved')
        throw new RuleConflict(
          `principal request "${id}" is ${row.status}: only an approved request hands out its token, once`,
          'status',
          '/status',
        );
      const lineage = (await this.lineages.lineages(tx, [row.requestedById])).get(row.requestedById)?.lineageId ?? row.requestedById;
      const oidc = row.oidcIssuer && row.oidcSubject ? { issuer: row.oidcIssuer, subject: row.oidcSubject } : undefined;
      const issued = await this.issuer.issue(
        tx,
        { name: row.name, role: 'operator', tenant: null, lineage, oidc },
        actorOf(ctx),
        ctx.requestId,
      );
      await tx.principalRequest.update({ where: { id }, data: { status: 'delivered', principalId: issued.id } });
      await this.audit.record(tx, {
        actor: actorOf(ctx),
        action: 'principal.token_delivered',
        tenantId: null,
        after: { id, principal: issued.id },
        requestId: ctx.requestId,
        at: new Date(),
      });
      return issued;
    });
  }

  /**
   * A client admin of the tenant approves an operator's invitation or revocation of one of its client
   * admins; while the tenant has none of its own, another operator does (judged at decision time).
   */
  async approveInTenant(ctx: PolicyContext, id: string): Promise<PrincipalRequestView> {
    const tenant = pathTenant(ctx);
    if (ctx.principal.role !== 'client_admin' && ctx.principal.role !== 'operator') throw notTheirs(false);
    let revoked: string | null = null;
    const view = await this.scopes.run({ tenantId: tenant.id }, async (tx) => {
      const row = await this.pending(tx, id, (r) => r.tenantId === tenant.id);
      const refusal = await this.refusalOf(tx, ctx, row);
      if (refusal) throw refusal;
      if (row.kind === 'invitation') {
        const requester: Actor = { id: row.requestedById, name: row.requestedBy, role: 'operator' };
        // Without mail the code is shown in this answer; the invitee then counts as the requester.
        const invitation = await this.invitations.issue(
          tx,
          tenant,
          { email: row.email as string, name: row.name },
          requester,
          ctx.requestId,
        );
        return this.decide(tx, ctx, row, 'delivered', null, invitation.code ?? null);
      }
      const target = await tx.principal.findUnique({ where: { id: row.targetId as string }, select: { id: true } });
      if (!target) throw new NotFoundException(`principal ${row.targetId} not found`);
      await this.revoker.revoke(
        tx,
        { id: target.id, tenant },
        { id: row.requestedById, name: row.requestedBy, role: 'operator' },
        ctx.requestId,
      );
      revoked = target.id;
      return this.decide(tx, ctx, row, 'delivered', target.id, null);
    });
    if (revoked) this.authenticator.cache.forgetPrincipal(revoked);
    return view;
  }

  private async pending(tx: PrismaTx, id: string, visible: (r: PrincipalRequest) => boolean): Promise<PrincipalRequest> {
    const row = await lockRequest(tx, id);
    if (!row || !visible(row)) throw new NotFoundException(`principal request "${id}" not found`);
    if (row.status !== 'pending')
      throw new RuleConflict(`principal request "${id}" is ${row.status}, no longer pending`, 'status', '/status');
    return row;
  }

  /**
   * Why `ctx` may not decide the tenant request `row` (the 403 its approval would get), or null: the
   * rule approveInTenant applies, and the inbox offers only what it would take.
   */
  async refusalOf(tx: PrismaTx, ctx: PolicyContext, row: PrincipalRequest): Promise<ForbiddenException | null> {
    const role = ctx.principal.role;
    const byOperator = !(await hasClientAdmin(tx, row.tenantId as string));
    if (byOperator !== (role === 'operator')) return notTheirs(byOperator);
    const uncounted = await this.countsRefusal(tx, ctx, row);
    if (uncounted) return uncounted;
    // A client admin an operator made holds that operator's consent, not the client's.
    if (role === 'client_admin' && !(await actsForClient(tx, ctx.principal.id, row.tenantId as string))) return notClientPerson();
    return null;
  }

  /** Why the caller's approval of `row` would not count (its own request, the lineage rule), or null. */
  private async countsRefusal(tx: PrismaTx, ctx: PolicyContext, row: PrincipalRequest): Promise<ForbiddenException | null> {
    if (row.requestedById === ctx.principal.id) return new ForbiddenException('the requester may not approve their own request');
    return this.lineages.countsRefusal(tx, {
      approverId: ctx.principal.id,
      requesterId: row.requestedById,
      countedIds: [],
      filedAt: row.createdAt,
    });
  }

  private async assertCounts(tx: PrismaTx, ctx: PolicyContext, row: PrincipalRequest): Promise<void> {
    const refusal = await this.countsRefusal(tx, ctx, row);
    if (refusal) throw refusal;
  }

  private async decide(
    tx: PrismaTx,
    ctx: PolicyContext,
    row: PrincipalRequest,
    status: 'approved' | 'delivered',
    principalId: string | null,
    code: string | null,
  ): Promise<PrincipalRequestView & { code?: string }> {
    const now = new Date();
    const me = actorOf(ctx);
    const updated = await tx.principalRequest.update({
      where: { id: row.id },
      data: { status, decidedById: me.id, decidedBy: me.name, decidedAt: now, ...(principalId ? { principalId } : {}) },
    });
    const view = requestView(updated, ctx.tenant?.slug ?? null);
    await this.audit.record(tx, {
      actor: me,
      action: 'principal.request_approved',
      tenantId: row.tenantId,
      after: view,
      requestId: ctx.requestId,
      at: now,
    });
    return code ? { ...view, code } : view;
  }
}

/** The refusal of someone whose role does not decide a tenant's people now. */
function notTheirs(byOperator: boolean): ForbiddenException {
  return new ForbiddenException(
    byOperator
      ? 'the tenant has no client admin of its own: another operator approves changes to its client admins'
      : "changes to a tenant's client admins need the approval of one of its client admins",
  );
}
