/** One approval of a seal step: its role, and whether it is the client's own consent (see #change-control Approval). */
export interface SealApprover {
  role: string;
  forClient: boolean;
}

/** Activating or lifting a seal: `k` approvals of distinct people, at least one the client's own. */
export function sealQuorum(k: number, approvals: readonly SealApprover[]): boolean {
  return approvals.length >= k && approvals.some((a) => a.forClient);
}

/**
 * Why `approver`'s approval would decide nothing (null when it may count): once only the client's
 * consent can complete the quorum, anyone else's. Refused, not recorded.
 */
export function unneededSealApproval(k: number, counted: readonly SealApprover[], approver: SealApprover): string | null {
  const clientMissing = !counted.some((a) => a.forClient);
  if (!approver.forClient && clientMissing && counted.length >= k - 1) {
    return 'the remaining approval must come from a client admin of the tenant: another approval would decide nothing';
  }
  return null;
}
