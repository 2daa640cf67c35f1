import { ForbiddenException, type HttpException } from '@nestjs/common';
import { clientStandings, notClientPerson, type LineageReader } from '#identity';
import type { PrismaTx } from '#persistence';
import type { PolicyContext } from '#policy';
import type { TenantRef } from '#tenancy';
import { requestApprovalBar, standing, type ApprovalBar } from './approval-standing.js';
import { RuleConflict } from './change-errors.js';
import { isExpired, toView, type ChangeRequestRow, type ChangeRequestView } from './change-request.store.js';

/**
 * The facts the approval rules read about the caller and a tenant's requests (who acts for the
 * client, lineages), read once: the approval route judges with them, and views show the same
 * judgement so that clients offer only what the route accepts.
 */
export async function approvalJudge(
  tx: PrismaTx,
  lineages: LineageReader,
  ctx: PolicyContext,
  tenant: Pick<TenantRef, 'id' | 'slug'>,
  rows: ChangeRequestRow[],
) {
  const me = ctx.principal;
  const ids = [me.id, ...rows.flatMap((r) => [r.requestedById, ...r.approvals.map((a) => a.principalId)])];
  const standingOf = await clientStandings(tx, tenant.id, ids);
  const known = await lineages.lineages(tx, ids);
  const mine = { id: me.id, ...standingOf(me) };
  /** Why the caller's approval of pending `row` would be refused; null when it would count. */
  const bar = (row: ChangeRequestRow): ApprovalBar | null =>
    requestApprovalBar(
      { ...mine, role: me.role },
      {
        requestedById: row.requestedById,
        contentHash: row.contentHash,
        need: { operator: row.needsOperator, clientAdmin: row.needsClient },
        approvals: row.approvals.map((a) => ({ ...a, forClient: standingOf({ id: a.principalId, role: a.role }).forClient })),
      },
      (countedIds) => lineages.refusal(known, { approverId: me.id, requesterId: row.requestedById, countedIds, filedAt: row.createdAt }),
    );
  const view = (row: ChangeRequestRow): ChangeRequestView => {
    const status = isExpired(row) ? 'expired' : row.status;
    const refusal: ApprovalBar | null = !ctx.ability.can('approve', 'ChangeRequest')
      ? { rule: 'policy', message: `role ${me.role} may not approve ChangeRequest` }
      : status !== 'pending'
        ? { rule: 'status', message: `change request "${row.id}" is ${status}, no longer pending` }
        : bar(row);
    return toView(row, tenant.slug, { standing: standingOf, yourApproval: standing(refusal) });
  };
  return { mine, standingOf, bar, view };
}

/** An approval route's answer to a refusal (change requests and seal steps): 409 for an approval that adds nothing, 403 for one that may not count. */
export function approvalRefused(bar: ApprovalBar): HttpException {
  if (bar.rule === 'duplicate_approval' || bar.rule === 'approval_not_needed') return new RuleConflict(bar.message, bar.rule);
  if (bar.rule === 'status') return new RuleConflict(bar.message, bar.rule, '/status');
  if (bar.rule === 'own_request' || bar.rule === 'own_seal') return new ForbiddenException(bar.message);
  if (bar.rule === 'client_person') return notClientPerson();
  return new ForbiddenException({ message: bar.message, details: [{ pointer: '/', rule: bar.rule, message: bar.message }] });
}
