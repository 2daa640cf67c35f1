import { ConflictException, GoneException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AuditRecorder } from '#audit';
import { LineageReader } from './lineage.reader.js';
import { PrincipalIssuer, type IssuedPrincipal } from './principal.issuer.js';
import type { PrismaTx } from '#persistence';
import type { PolicyContext } from '#policy';
import { actorOf, pathTenant, TenantScopeService, type Actor } from '#tenancy';
import { DATE_TIME, STRING, UUID, nullable, objectOf } from '#registry';
import { fileRequest, type PrincipalRequestView } from './principal-request.store.js';
import { InvitationMailer } from './invitation.mailer.js';
import { actsForClient, clientConsentNeeded } from './client-admins.reader.js';
import { isUniqueViolation } from '#http';

/** How long an invitation code may be redeemed. */
export const INVITATION_TTL_MS = 72 * 3600 * 1000;

export interface InvitationView {
  id: string;
  tenant: string;
  email: string;
  name: string;
  delivery: string;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  /** Only when no mail could carry it: the inviter hands it over, and the invitee counts as the inviter. */
  code?: string;
}

export const INVITATION_VIEW_SCHEMA = objectOf(
  {
    id: UUID,
    tenant: STRING,
    email: STRING,
    name: STRING,
    delivery: STRING,
    invitedBy: STRING,
    createdAt: DATE_TIME,
    expiresAt: DATE_TIME,
    code: STRING,
  },
  ['code'],
);

/** `GET /v1/tenants/:tenant/principals`: the tenant's people, revoked ones included. */
export const TENANT_PERSON_SCHEMA = objectOf({
  id: UUID,
  name: STRING,
  role: STRING,
  email: nullable(STRING),
  invitedBy: nullable(STRING),
  createdById: nullable(STRING),
  createdAt: DATE_TIME,
  revokedAt: nullable(DATE_TIME),
});

export type InviteOutcome = { kind: 'sent'; invitation: InvitationView } | { kind: 'pending'; request: PrincipalRequestView };

const codeHash = (code: string) => createHash('sha256').update(code, 'utf8').digest('hex');

/**
 * Client admins join by invitation: a one-time code goes to the invitee (never the inviter),
 * who redeems it for their own token and acts for the client from then on. Whoever does not act
 * for the client yet (an operator, or a client admin in an operator's lineage) cannot make that
 * person alone, since the inviter chooses the address the code goes to: the invitation waits for
 * the client's approval once the tenant has a client admin, and before that for another
 * operator's (another person: the lineage rule). Only a code shown to its inviter (no mail) goes
 * out at once: its invitee stays in the inviter's lineage and never acts for the client.
 */
@Injectable()
export class InvitationsService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(PrincipalIssuer) private readonly issuer: PrincipalIssuer,
    @Inject(LineageReader) private readonly lineages: LineageReader,
    @Inject(InvitationMailer) private readonly mailer: InvitationMailer,
  ) {}

  invite(ctx: PolicyContext, body: { email: string; name: string }): Promise<InviteOutcome> {
    const tenant = pathTenant(ctx);
    return this.scopes.run({ tenantId: tenant.id }, async (tx) => {
      await tx.$queryRaw`SELECT id FROM tenants WHERE id = ${tenant.id}::uuid FOR NO KEY UPDATE`;
      const me = ctx.principal;
      const makesClientPerson =
        this.mailer.delivery !== 'shown' && !(me.role === 'client_admin' && (await actsForClient(tx, me.id, tenant.id)));
      if (makesClientPerson || (await clientConsentNeeded(tx, me, tenant.id))) {
        const request = await fileRequest(
          tx,
          this.audit,
          { kind: 'invitation', tenant, name: body.name, email: body.email },
          actorOf(ctx),
          ctx.requestId,
        );
        return { kind: 'pending', request };
      }
      return { kind: 'sent', invitation: await this.issue(tx, tenant, body, actorOf(ctx), ctx.requestId) };
    });
  }

  /** Creates the invitation and delivers its code, inside the caller's transaction: a failed delivery records nothing. */
  async issue(
    tx: PrismaTx,
    tenant: { id: string; slug: string },
    who: { email: string; name: string },
    inviter: Actor,
    requestId?: string,
  ): Promise<InvitationView> {
    const code = `inv_${randomBytes(32).toString('base64url')}`;
    const now = new Date();
    const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
    const delivery = this.mailer.delivery;
    const lineageId =
      delivery === 'shown' ? ((await this.lineages.lineages(tx, [inviter.id])).get(inviter.id)?.lineageId ?? inviter.id) : null;
    const row = await tx.invitation.create({
      data: {
        id: randomUUID(),
        tenantId: tenant.id,
        email: who.email,
        name: who.name,
        codeHash: codeHash(code),
        delivery,
        invitedById: inviter.id,
        invitedBy: inviter.name,
        lineageId,
        createdAt: now,
        expiresAt,
      },
    });
    const view: InvitationView = {
      id: row.id,
      tenant: tenant.slug,
      email: row.email,
      name: row.name,
      delivery,
      invitedBy: row.invitedBy,
      createdAt: now.toISOString(),
      expiresAt: expiresAt.toISOString(),
    };
    await this.audit.record(tx, { actor: inviter, action: 'invitation.created', tenantId: tenant.id, after: view, requestId, at: now });
    await this.mailer.send({ to: who.email, name: who.name, tenant: tenant.slug, code, expiresAt }, delivery);
    return delivery === 'shown' ? { ...view, code } : view;
  }

  /**
   * Redeems a code once for the invitee's own token, or, signing in through the identity provider,
   * for a principal linked to the account the provider vouched for (no token). Either way the
   * invitee starts a person (lineage) of its own. A refused redemption is audited in the tenant's chain.
   */
  async redeem(code: string, requestId?: string, oidc?: { issuer: string; subject: string }): Promise<IssuedPrincipal> {
    const hash = codeHash(code);
    const found = await this.scopes.run(
      'all-tenants',
      (tx) => tx.$queryRaw<{ id: string; tenant_id: string }[]>`SELECT * FROM cloison_invitation_by_code(${hash})`,
    );
    const hit = found[0];
    if (!hit)
      throw new NotFoundException({
        message: 'unknown invitation code',
        details: [{ pointer: '/code', rule: 'exists', message: 'no such invitation' }],
      });
    const result = await this.scopes
      .run({ tenantId: hit.tenant_id }, async (tx) => {
        await tx.$queryRaw`SELECT id FROM invitations WHERE id = ${hit.id}::uuid FOR UPDATE`;
        const inv = await tx.invitation.findUniqueOrThrow({ where: { id: hit.id } });
        const tenant = await tx.tenant.findUniqueOrThrow({ where: { id: inv.tenantId }, select: { id: true, slug: true } });
        const actor: Actor = { id: inv.id, name: `${inv.name} (invitation)`, role: 'client_admin' };
        const now = new Date();
        const refusal = inv.redeemedAt ? 'already_redeemed' : inv.expiresAt <= now ? 'expired' : null;
        if (refusal) {
          await this.audit.record(tx, {
            actor,
            action: 'invitation.redeem_refused',
            tenantId: tenant.id,
            after: { id: inv.id, rule: refusal },
            requestId,
            at: now,
          });
          return { refused: refusal } as const;
        }
        const issued = await this.issuer.issue(
          tx,
          {
            name: inv.name,
            role: 'client_admin',
            tenant,
            lineage: inv.lineageId ?? 'own',
            email: inv.email,
            invitedBy: inv.invitedBy,
            createdById: inv.invitedById,
            ...(oidc ? { oidc } : {}),
          },
          actor,
          requestId,
        );
        await tx.invitation.update({ where: { id: inv.id }, data: { redeemedAt: now, principalId: issued.id } });
        await this.audit.record(tx, {
          actor,
          action: 'invitation.redeemed',
          tenantId: tenant.id,
          after: { id: inv.id, principal: issued.id },
          requestId,
          at: now,
        });
        return { issued } as const;
      })
      .catch((err: unknown) => {
        // The account the provider vouched for may be linked to a principal revoked since: one
        // principal per account, ever. Nothing was written; the invitation stays unused.
        if (oidc && isUniqueViolation(err)) {
          throw new ConflictException({
            message: 'this account was linked to a Cloison principal before (revoked since): it cannot take an invitation',
            details: [{ pointer: '/code', rule: 'account_linked', message: 'one principal per identity-provider account' }],
          });
        }
        throw err;
      });
    if ('refused' in result) {
      const message = result.refused === 'expired' ? 'this invitation has expired' : 'this invitation was already redeemed';
      const details = [{ pointer: '/code', rule: result.refused, message }];
      throw result.refused === 'expired' ? new GoneException({ message, details }) : new ConflictException({ message, details });
    }
    return result.issued;
  }

  /** The tenant's people, for its client admins and operators. */
  people(ctx: PolicyContext) {
    const tenant = pathTenant(ctx);
    return this.scopes.runRead({ tenantId: tenant.id }, async (tx) => {
      const rows = await tx.principal.findMany({ where: { tenantId: tenant.id }, orderBy: { createdAt: 'asc' } });
      return rows.map((p) => ({
        id: p.id,
        name: p.name,
        role: p.role,
        email: p.email,
        invitedBy: p.invitedBy,
        createdById: p.createdById,
        createdAt: p.createdAt.toISOString(),
        revokedAt: p.revokedAt?.toISOString() ?? null,
      }));
    });
  }
}
