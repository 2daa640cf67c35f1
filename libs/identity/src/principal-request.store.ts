import { randomUUID } from 'node:crypto';
import type { AuditRecorder } from '#audit';
import type { PrincipalRequest as Row, PrismaTx } from '#persistence';
import type { Actor } from '#tenancy';
import { DATE_TIME, REF, STRING, UUID, nullable, objectOf, oneOfStrings } from '#registry';

export type RequestKind = 'operator' | 'invitation' | 'revocation';

export interface PrincipalRequestView {
  id: string;
  kind: RequestKind;
  tenant: string | null;
  name: string;
  email: string | null;
  target: string | null;
  status: string;
  requestedBy: { id: string; name: string };
  decidedBy: { id: string; name: string } | null;
  decidedAt: string | null;
  principal: string | null;
  createdAt: string;
  /** The identity-provider account a new operator will be linked to, if any. */
  oidc?: { issuer: string; subject: string };
}

export const PRINCIPAL_REQUEST_VIEW_SCHEMA = objectOf(
  {
    id: UUID,
    kind: oneOfStrings(['operator', 'invitation', 'revocation']),
    tenant: nullable(STRING),
    name: STRING,
    email: nullable(STRING),
    target: nullable(STRING),
    status: STRING,
    requestedBy: REF,
    decidedBy: nullable(REF),
    decidedAt: nullable(DATE_TIME),
    principal: nullable(STRING),
    createdAt: DATE_TIME,
    oidc: objectOf({ issuer: STRING, subject: STRING }),
  },
  ['oidc'],
);

export function requestView(r: Row, tenantSlug: string | null): PrincipalRequestView {
  return {
    id: r.id,
    kind: r.kind as RequestKind,
    tenant: tenantSlug,
    name: r.name,
    email: r.email,
    target: r.targetId,
    status: r.status,
    requestedBy: { id: r.requestedById, name: r.requestedBy },
    decidedBy: r.decidedById ? { id: r.decidedById, name: r.decidedBy as string } : null,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    principal: r.principalId,
    createdAt: r.createdAt.toISOString(),
    ...(r.oidcIssuer && r.oidcSubject ? { oidc: { issuer: r.oidcIssuer, subject: r.oidcSubject } } : {}),
  };
}

export interface NewRequest {
  kind: RequestKind;
  tenant: { id: string; slug: string } | null;
  name: string;
  email?: string;
  targetId?: string;
  oidc?: { issuer: string; subject: string };
}

/** Files a pending request and its audit event (in the tenant's chain when it has one). */
export async function fileRequest(
  tx: PrismaTx,
  audit: AuditRecorder,
  req: NewRequest,
  actor: Actor,
  requestId?: string,
): Promise<PrincipalRequestView> {
  const now = new Date();
  const row = await tx.principalRequest.create({
    data: {
      id: randomUUID(),
      kind: req.kind,
      tenantId: req.tenant?.id ?? null,
      name: req.name,
      email: req.email ?? null,
      targetId: req.targetId ?? null,
      oidcIssuer: req.oidc?.issuer ?? null,
      oidcSubject: req.oidc?.subject ?? null,
      requestedById: actor.id,
      requestedBy: actor.name,
      status: 'pending',
      createdAt: now,
    },
  });
  const view = requestView(row, req.tenant?.slug ?? null);
  await audit.record(tx, { actor, action: 'principal.requested', tenantId: req.tenant?.id ?? null, after: view, requestId, at: now });
  return view;
}

/** The row locked for a decision, or null when it is not visible in this scope. */
export async function lockRequest(tx: PrismaTx, id: string): Promise<Row | null> {
  await tx.$queryRaw`SELECT id FROM principal_requests WHERE id = ${id}::uuid FOR UPDATE`;
  return tx.principalRequest.findUnique({ where: { id } });
}
