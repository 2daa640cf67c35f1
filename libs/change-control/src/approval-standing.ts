import type { LineageRefusal } from '#identity';
import { type Approval, type ApprovalRequirement, clientAdminNotForClient, countedApprovals, unneededApproval } from './approval-policy.js';

/** Why an approval would be refused, as the approval route answers it (its rule and message). */
export interface ApprovalBar {
  rule: string;
  message: string;
}

/** Whether the caller may approve, and the approval route's refusal when not: views carry it so clients offer only what is accepted. */
export interface YourApproval {
  allowed: boolean;
  refusal: ApprovalBar | null;
}

export const OWN_REQUEST: ApprovalBar = { rule: 'own_request', message: 'the requester may not approve their own change request' };

export function standing(bar: ApprovalBar | null): YourApproval {
  return { allowed: bar === null, refusal: bar };
}

/** A pending request as the approval rules read it; `approvals` carry whether each is the client's (Approval.forClient). */
export interface RequestFacts {
  requestedById: string;
  contentHash: string;
  need: ApprovalRequirement;
  approvals: readonly Approval[];
}

/**
 * Why `me`'s approval of a pending request would be refused, in the order the approval route checks:
 * the requester, a second approval by the same principal, an approval that decides nothing, one
 * person twice (`lineage`, given the approvers counted so far), then a client admin who is not the
 * client's. Null when it would count.
 */
export function requestApprovalBar(
  me: { id: string } & Pick<Approval, 'role' | 'forClient'>,
  r: RequestFacts,
  lineage: (countedIds: string[]) => LineageRefusal | null,
): ApprovalBar | null {
  if (r.requestedById === me.id) return OWN_REQUEST;
  if (r.approvals.some((a) => a.principalId === me.id && a.contentHash === r.contentHash))
    return { rule: 'duplicate_approval', message: 'you already approved this change request' };
  const counted = countedApprovals(r.approvals, r.requestedById, r.contentHash);
  const unneeded = unneededApproval(r.need, counted, me);
  if (unneeded) return { rule: 'approval_not_needed', message: unneeded };
  const refusal = lineage(counted.map((a) => a.principalId));
  if (refusal) return refusal;
  if (clientAdminNotForClient(me))
    return { rule: 'client_person', message: "a client admin in an operator's lineage does not consent for the client" };
  return null;
}
