import { clientAdminNotForClient, type ApprovalBar } from '#change-control';
import type { LineageRefusal } from '#identity';
import { unneededSealApproval } from './seal-quorum.rule.js';

export type SealPurpose = 'activate' | 'lift' | 'break_glass';

/** The status a seal must have for each step. */
export const STEP_STATUS: Record<SealPurpose, 'proposed' | 'active'> = { activate: 'proposed', lift: 'active', break_glass: 'active' };

export interface SealFacts {
  id: string;
  status: string;
  proposedById: string;
  proposedAt: Date;
  requiredApprovals: number;
  approvals: readonly { principalId: string; purpose: string; approvedAt: Date; role: string; forClient: boolean }[];
}

/** Who a step's lineage rule compares the approver with: activation answers the proposal; a lift or break-glass is filed by its first approval. */
export function stepFiling(seal: SealFacts, purpose: SealPurpose, now: Date): { requesterId: string | null; filedAt: Date } {
  const first = seal.approvals.find((a) => a.purpose === purpose);
  return purpose === 'activate'
    ? { requesterId: seal.proposedById, filedAt: seal.proposedAt }
    : { requesterId: null, filedAt: first?.approvedAt ?? new Date(now.getTime() + 1) };
}

/**
 * Why `me`'s approval towards `purpose` would be refused, in the order the seal routes check: the
 * seal's status, the proposer, a second approval by the same principal, a client admin who is not the
 * client's (every seal step waits for the client's own consent), an approval that decides nothing,
 * then one person twice (`lineage`, given the approvers counted so far). Null when it would count.
 */
export function sealStepBar(
  me: { id: string; role: string; forClient: boolean },
  seal: SealFacts,
  purpose: SealPurpose,
  lineage: (countedIds: string[]) => LineageRefusal | null,
): ApprovalBar | null {
  if (seal.status !== STEP_STATUS[purpose]) return { rule: 'status', message: `seal "${seal.id}" is ${seal.status}` };
  if (purpose === 'activate' && seal.proposedById === me.id)
    return { rule: 'own_seal', message: 'the proposer may not approve their own seal' };
  const counted = seal.approvals.filter((a) => a.purpose === purpose);
  if (counted.some((a) => a.principalId === me.id)) return { rule: 'duplicate_approval', message: 'you already approved this' };
  if (clientAdminNotForClient(me))
    return { rule: 'client_person', message: "a client admin in an operator's lineage does not consent for the client" };
  const unneeded = purpose === 'break_glass' ? null : unneededSealApproval(seal.requiredApprovals, counted, me);
  if (unneeded) return { rule: 'approval_not_needed', message: unneeded };
  return lineage(counted.map((a) => a.principalId));
}
