/**
 * Approvals count people, not principals. A principal's lineage is the person who could hold
 * its credential when it was made: a token answered to its creator stays in the creator's
 * lineage; one delivered to someone else (bootstrap, an invitation by mail) starts its own.
 * So one person minting principals and approving with them still counts once.
 */
export interface LineageOf {
  principalId: string;
  lineageId: string;
  /** Null for principals not stored here (staff signing in through the identity provider). */
  createdAt: Date | null;
}

export type LineageRule = 'lineage_differs_from_requester' | 'lineage_differs_from_approvers' | 'approver_predates_request';

export interface LineageRefusal {
  rule: LineageRule;
  message: string;
}

/**
 * Whether `approver`'s approval counts: its lineage differs from the requester's (null when the
 * action has no requester) and from the lineages of approvals already counted, and it existed
 * before the request was filed (so nobody can be made for the occasion). Null when it counts.
 */
export function lineageRefusal(
  approver: LineageOf,
  requester: LineageOf | null,
  counted: readonly LineageOf[],
  filedAt: Date,
): LineageRefusal | null {
  if (requester && approver.lineageId === requester.lineageId) {
    return {
      rule: 'lineage_differs_from_requester',
      message:
        'the approver belongs to the same person (lineage) as the requester: an approval must come from someone else (rule lineage_differs_from_requester)',
    };
  }
  if (counted.some((c) => c.lineageId === approver.lineageId)) {
    return {
      rule: 'lineage_differs_from_approvers',
      message:
        'the same person (lineage) has already approved: each approval must come from a different person (rule lineage_differs_from_approvers)',
    };
  }
  if (approver.createdAt !== null && approver.createdAt.getTime() >= filedAt.getTime()) {
    return {
      rule: 'approver_predates_request',
      message:
        'the approver was created after the request was filed: only principals that existed before may approve it (rule approver_predates_request)',
    };
  }
  return null;
}
