import { YOUR_APPROVAL_FIELDS, type YourApproval } from '#change-control';
import type { ClientStanding } from '#identity';
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
  /** A client admin's approval is the client's consent only when `forClient`. */
  approvals: ({
    principal: { id: string; name: string };
    role: string;
    purpose: string;
    reason: string | null;
    at: string;
  } & ClientStanding)[];
  /** The steps the seal's status allows, each with whether the caller may take it and the route's refusal when not. */
  yourSteps: ({ purpose: string } & YourApproval)[];
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
  approvals: arrayOf(
    objectOf({
      principal: REF,
      role: STRING,
      purpose: STRING,
      reason: nullable(STRING),
      at: DATE_TIME,
      forClient: BOOLEAN,
      madeBy: nullable(REF),
    }),
  ),
  yourSteps: arrayOf(objectOf({ purpose: STRING, ...YOUR_APPROVAL_FIELDS })),
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

/** What a seal view says of its approvers and its caller (seal.judge.ts). */
export interface SealViewFacts {
  standing: (approver: { id: string; role: string }) => ClientStanding;
  yourSteps: SealView['yourSteps'];
}

export function toSealView(row: SealRow, tenantSlug: string, facts: SealViewFacts): SealView {
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
      ...facts.standing({ id: a.principalId, role: a.role }),
    })),
    yourSteps: facts.yourSteps,
    activatedAt: row.activatedAt?.toISOString() ?? null,
    fingerprint: row.fingerprint,
    document: row.document,
    liftedAt: row.liftedAt?.toISOString() ?? null,
    liftReason: row.liftReason,
    breakGlass: row.breakGlass,
  };
}
