import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { SEAL_STEPS_SIGNED } from './seal-steps.record.js';
import { AuditRecorder } from '#audit';
import { signedApprovalsContentHash, type ApprovalProof } from '#audit-format';
import { RuleConflict } from '#change-control';
import { ApprovalSignatures, SIGNATURE_SCHEMA, clientConsentNeeded } from '#identity';
import type { PolicyContext } from '#policy';
import { BOOLEAN, DATE_TIME, STRING, objectOf } from '#registry';
import { actorOf, pathTenant } from './request-context.js';
import { TenantScopeService } from './tenant-scope.service.js';

export const SIGNED_APPROVALS_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['required', 'reason'],
  properties: {
    required: { type: 'boolean' },
    reason: { type: 'string', minLength: 3, maxLength: 1000, pattern: '\\S' },
    signature: SIGNATURE_SCHEMA,
  },
} as const;

export interface SignedApprovalsBody {
  required: boolean;
  reason: string;
  signature?: ApprovalProof;
}

export const SIGNED_APPROVALS_VIEW_SCHEMA = objectOf({ tenant: STRING, signedApprovals: BOOLEAN, changedAt: DATE_TIME });

/**
 * Whether a tenant refuses unsigned approvals changes the way a client's consent is given.
 * Raising it protects the client more: an operator or the client's admin does it alone.
 * Lowering it takes protection away from the client: once the tenant has a client admin, only
 * one of them may, and (the setting being on) only with a signature over the tenant, the new
 * value and the reason, made with a key they enrolled; an operator cannot. Before the tenant has
 * a client admin, the operator setting it up acts alone, signing likewise. Each change is an
 * event in the tenant's own chain, which offline verification follows.
 */
@Injectable()
export class SignedApprovalsSetting {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(ApprovalSignatures) private readonly signatures: ApprovalSignatures,
  ) {}

  async change(ctx: PolicyContext, body: SignedApprovalsBody) {
    const me = ctx.principal;
    if (me.role !== 'operator' && me.role !== 'client_admin') {
      throw new ForbiddenException(`role ${me.role} may not change whether the tenant requires signed approvals`);
    }
    const tenant = pathTenant(ctx);
    return this.scopes.run({ tenantId: tenant.id }, async (tx) => {
      // Read, then locked once the signature is checked: an approval locks the key it names before
      // the tenant row (ApprovalSignatures), and so does this, so that neither waits on the other.
      const stored = async (lock: boolean) => {
        const rows = lock
          ? await tx.$queryRaw<{ signed_approvals: boolean }[]>`
              SELECT signed_approvals FROM tenants WHERE id = ${tenant.id}::uuid FOR NO KEY UPDATE`
          : await tx.$queryRaw<{ signed_approvals: boolean }[]>`SELECT signed_approvals FROM tenants WHERE id = ${tenant.id}::uuid`;
        const current = rows[0]?.signed_approvals === true;
        if (current === body.required) {
          throw new RuleConflict(`signed approvals are already ${current ? 'required' : 'not required'} here`, 'no_change', '/required');
        }
        return current;
      };
      await stored(false);
      let signature: ApprovalProof | null = null;
      if (!body.required) {
        // A client admin in an operator's lineage is that operator's login: it lowers nothing for the client.
        if (await clientConsentNeeded(tx, me, tenant.id)) {
          throw new ForbiddenException({
            message: "only the tenant's client admin may stop requiring signed approvals (its consent, signed)",
            details: [{ pointer: '/required', rule: 'client_consent', message: "lowering needs the tenant's client admin" }],
          });
        }
        signature = await this.signatures.check(
          tx,
          {
            action: 'tenant.lower_signed_approvals',
            tenant: tenant.id,
            subject: tenant.id,
            contentHash: signedApprovalsContentHash(tenant.id, false, body.reason),
            approver: me.id,
          },
          body.signature,
          { required: true, userVerification: true },
          { actor: actorOf(ctx), requestId: ctx.requestId },
        );
      }
      const current = await stored(true);
      const now = new Date();
      await tx.tenant.update({ where: { id: tenant.id }, data: { signedApprovals: body.required } });
      await this.audit.record(tx, {
        actor: me,
        action: 'tenant.signed_approvals_changed',
        tenantId: tenant.id,
        before: { signedApprovals: current },
        after: {
          id: tenant.id,
          signedApprovals: body.required,
          ...(body.required ? SEAL_STEPS_SIGNED : {}),
          ...(signature ? { signature } : {}),
        },
        reason: body.reason,
        requestId: ctx.requestId,
        at: now,
      });
      return { tenant: tenant.slug, signedApprovals: body.required, changedAt: now.toISOString() };
    });
  }
}
