import type { OptionDefinition } from '#registry';

/** Who must approve a change before it applies; null when it applies directly. */
export interface ApprovalRequirement {
  /** One operator other than the requester. */
  operator: boolean;
  /** One client_admin of the tenant itself (client consent), other than the requester. */
  clientAdmin: boolean;
}

/**
 * The four-eyes rule: `high` options, and every option of a risk level 3 tenant, need one
 * operator; `critical` options need one operator and the tenant's own client admin.
 */
export function approvalRequirement(def: Pick<OptionDefinition, 'risk'>, tenantRiskLevel: number): ApprovalRequirement | null {
  if (def.risk === 'critical') return { operator: true, clientAdmin: true };
  if (def.risk === 'high' || tenantRiskLevel >= 3) return { operator: true, clientAdmin: false };
  return null;
}

export interface Approval {
  principalId: string;
  role: string;
  contentHash: string;
  /**
   * Whether this approval is the client's own consent: given by a client admin who acts for the
   * client (libs/identity `clientPeople`), resolved by the caller. A client admin in an operator's
   * lineage is that operator's login: its approval never stands for the client.
   */
  forClient: boolean;
}

/** Who approves: a role, and whether they act for the client (see Approval.forClient). */
export type Approver = Pick<Approval, 'role' | 'forClient'>;

/** The approvals that count: given for the current content, by others than the requester. */
export function countedApprovals<A extends Omit<Approval, 'forClient'>>(
  approvals: readonly A[],
  requesterId: string,
  contentHash: string,
): A[] {
  return approvals.filter((a) => a.contentHash === contentHash && a.principalId !== requesterId);
}

/**
 * Why an approval by `approver` would add nothing (null when it is needed): client consent for a
 * change that needs none, or a side whose approval is already given. Such approvals are refused,
 * not recorded, so that the record never suggests a consent that decided nothing.
 */
export function unneededApproval(need: ApprovalRequirement, counted: readonly Approval[], approver: Approver): string | null {
  if (approver.role === 'client_admin' && !need.clientAdmin)
    return 'this change needs no client consent: a client admin approval would decide nothing';
  if (approver.role === 'client_admin' && counted.some((a) => a.forClient)) return 'the client has already consented to this change';
  if (approver.role === 'operator' && !need.operator) return 'this change needs no operator approval';
  if (approver.role === 'operator' && counted.some((a) => a.role === 'operator'))
    return 'an operator has already approved this change; it waits for other approvals';
  return null;
}

/**
 * Whether `approver`'s approval would be refused as not the client's (403 client_person): a client
 * admin who does not act for the client consents to nothing, whoever asked. Until the tenant has a
 * person of its own, its critical changes wait for one.
 */
export function clientAdminNotForClient(approver: Approver): boolean {
  return approver.role === 'client_admin' && !approver.forClient;
}

/** Whether the approvals given for `contentHash`, by others than the requester, satisfy `need`. */
export function isSatisfied(need: ApprovalRequirement, approvals: Approval[], requesterId: string, contentHash: string): boolean {
  const valid = countedApprovals(approvals, requesterId, contentHash);
  const hasOperator = valid.some((a) => a.role === 'operator');
  const hasClient = valid.some((a) => a.forClient);
  return (!need.operator || hasOperator) && (!need.clientAdmin || hasClient);
}
