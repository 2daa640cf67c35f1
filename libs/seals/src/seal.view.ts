import type { Prisma } from '../../persistence/src/index.js';

export type SealRow = Prisma.SealGetPayload<{ include: { approvals: true } }>;

export interface SealView {
  id: string;
  tenant: string;
  label: string;
  status: string;
  requiredApprovals: number;
  proposedBy: { id: string; name: string; role: string };
  proposedAt: string;
  approvals: { principal: { id: string; name: string }; role: string; purpose: string; reason: string | null; at: string }[];
  activatedAt: string | null;
  fingerprint: string | null;
  document: unknown;
  liftedAt: string | null;
  liftReason: string | null;
  breakGlass: boolean;
}

export function toSealView(row: SealRow, tenantSlug: string): SealView {
  return {
    id: row.id,
    tenant: tenantSlug,
    label: row.label,
    status: row.status,
    requiredApprovals: row.requiredApprovals,
    proposedBy: { id: row.proposedById, name: row.proposedBy, role: row.proposedByRole },
    proposedAt: row.proposedAt.toISOString(),
    approvals: row.approvals.map((a) => ({ principal: { id: a.principalId, name: a.principalName }, role: a.role, purpose: a.purpose, reason: a.reason, at: a.approvedAt.toISOString() })),
    activatedAt: row.activatedAt?.toISOString() ?? null,
    fingerprint: row.fingerprint,
    document: row.document,
    liftedAt: row.liftedAt?.toISOString() ?? null,
    liftReason: row.liftReason,
    breakGlass: row.breakGlass,
  };
}
