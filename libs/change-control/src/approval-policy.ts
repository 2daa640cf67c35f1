import type { OptionDefinition } from '../../registry/src/index.js';

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
}

/** Whether the approvals given for `contentHash`, by others than the requester, satisfy `need`. */
export function isSatisfied(need: ApprovalRequirement, approvals: Approval[], requesterId: string, contentHash: string): boolean {
  const valid = approvals.filter((a) => a.contentHash === contentHash && a.principalId !== requesterId);
  const hasOperator = valid.some((a) => a.role === 'operator');
  const hasClient = valid.some((a) => a.role === 'client_admin');
  return (!need.operator || hasOperator) && (!need.clientAdmin || hasClient);
}
