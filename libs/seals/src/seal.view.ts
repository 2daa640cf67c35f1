import type { Prisma } from '#persistence';
import { ANY_JSON, BOOLEAN, DATE_TIME, INTEGER, REF, STRING, UUID, arrayOf, nullable, objectOf } from '#registry';

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

export const SEAL_VIEW_SCHEMA = objectOf({
  id: UUID,
  tenant: STRING,
  label: STRING,
  status: STRING,
  requiredApprovals: INTEGER,
  proposedBy: objectOf({ id: STRING, name: STRING, role: STRING }),
  proposedAt: DATE_TIME,
  approvals: arrayOf(objectOf({ principal: REF, role: STRING, purpose: STRING, reason: nullable(STRING), at: DATE_TIME })),
  activatedAt: nullable(DATE_TIME),
  fingerprint: nullable(STRING),
  document: ANY_JSON,
  liftedAt: nullable(DATE_TIME),
  liftReason: nullable(STRING),
  breakGlass: BOOLEAN,
});

/** `GET …/seals/:id/verify`: whether the sealed state still holds and the document is this service's. */
export const SEAL_VERIFICATION_SCHEMA = objectOf({
  sealId: UUID,
  status: STRING,
  fingerprint: nullable(STRING),
  currentFingerprint: STRING,
  matches: BOOLEAN,
  document: objectOf({ signatureValid: BOOLEAN, fingerprintValid: BOOLEAN, keyIdValid: BOOLEAN, valid: BOOLEAN }),
  signedByThisService: BOOLEAN,
  valid: BOOLEAN,
});

export function toSealView(row: SealRow, tenantSlug: string): SealView {
  return {
    id: row.id,
    tenant: tenantSlug,
    label: row.label,
    status: row.status,
    requiredApprovals: row.requiredApprovals,
    proposedBy: { id: row.proposedById, name: row.proposedBy, role: row.proposedByRole },
    proposedAt: row.proposedAt.toISOString(),
    approvals: row.approvals.map((a) => ({
      principal: { id: a.principalId, name: a.principalName },
      role: a.role,
      purpose: a.purpose,
      reason: a.reason,
      at: a.approvedAt.toISOString(),
    })),
    activatedAt: row.activatedAt?.toISOString() ?? null,
    fingerprint: row.fingerprint,
    document: row.document,
    liftedAt: row.liftedAt?.toISOString() ?? null,
    liftReason: row.liftReason,
    breakGlass: row.breakGlass,
  };
}
