import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditRecorder } from '#audit';
import { jsonInput, type PrismaTx } from '#persistence';
import type { Actor, TenantRef } from '#tenancy';
import { ANY_JSON, BOOLEAN, DATE_TIME, INTEGER, REF, STRING, UUID, arrayOf, nullable, objectOf, oneOfStrings } from '#registry';
import type { ClientStanding } from '#identity';
import type { ApprovalRequirement } from './approval-policy.js';
import { OWN_REQUEST, standing, type YourApproval } from './approval-standing.js';
import { contentHashOf } from './content-hash.js';
import type { Change } from './option-view.js';

/** How long a request waits for its approvals before it expires. */
export const CHANGE_REQUEST_TTL_MS = 7 * 24 * 3600 * 1000;

export const REQUEST_STATUSES = ['pending', 'applied', 'rejected', 'withdrawn', 'expired'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export interface ChangeRequestView {
  id: string;
  tenant: string;
  option: string;
  operation: 'set' | 'reset';
  value?: unknown;
  reason: string;
  contentHash: string;
  revision: number;
  baseVersion: number;
  status: RequestStatus;
  required: ApprovalRequirement;
  /** Approvals that count: given for the current content hash; a client admin's counts for the client only when `forClient`. */
  approvals: ({ principal: { id: string; name: string }; role: string; at: string } & ClientStanding)[];
  /** Whether the caller may approve it now, and the approval route's refusal when not. */
  yourApproval: YourApproval;
  requestedBy: { id: string; name: string; role: string };
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  decidedAt: string | null;
  decidedBy: { id: string; name: string } | null;
  decisionReason: string | null;
  /** The seal this break-glass change was made under, if any. */
  breakGlassSeal: string | null;
}

export const YOUR_APPROVAL_FIELDS = { allowed: BOOLEAN, refusal: nullable(objectOf({ rule: STRING, message: STRING })) };
export const YOUR_APPROVAL_SCHEMA = objectOf(YOUR_APPROVAL_FIELDS);

export const CHANGE_REQUEST_VIEW_SCHEMA = objectOf(
  {
    id: UUID,
    tenant: STRING,
    option: STRING,
    operation: oneOfStrings(['set', 'reset']),
    value: ANY_JSON,
    reason: STRING,
    contentHash: STRING,
    revision: INTEGER,
    baseVersion: INTEGER,
    status: oneOfStrings(REQUEST_STATUSES),
    required: objectOf({ operator: BOOLEAN, clientAdmin: BOOLEAN }),
    approvals: arrayOf(objectOf({ principal: REF, role: STRING, at: DATE_TIME, forClient: BOOLEAN, madeBy: nullable(REF) })),
    yourApproval: YOUR_APPROVAL_SCHEMA,
    requestedBy: objectOf({ id: STRING, name: STRING, role: STRING }),
    createdAt: DATE_TIME,
    updatedAt: DATE_TIME,
    expiresAt: DATE_TIME,
    decidedAt: nullable(DATE_TIME),
    decidedBy: nullable(REF),
    decisionReason: nullable(STRING),
    breakGlassSeal: nullable(STRING),
  },
  ['value'],
);

type Row = NonNullable<Awaited<ReturnType<ChangeRequestStore['lock']>>>;

export interface NewRequest {
  tenant: TenantRef;
  optionKey: string;
  change: Change;
  reason: string;
  baseVersion: number;
  need: ApprovalRequirement;
  actor: Actor;
  requestId?: string;
  /** A break-glass change under this active seal. */
  breakGlassSealId?: string;
}

export function requestChange(row: { operation: string; value: unknown }): Change {
  return row.operation === 'set' ? { isSet: true, value: row.value as never } : { isSet: false };
}

/** Change request rows of one tenant; every function runs inside the caller's tenant transaction. */
@Injectable()
export class ChangeRequestStore {
  constructor(@Inject(AuditRecorder) private readonly audit: AuditRecorder) {}

  async create(tx: PrismaTx, r: NewRequest): Promise<ChangeRequestView> {
    const now = new Date();
    const operation = r.change.isSet ? 'set' : 'reset';
    const value = r.change.isSet ? r.change.value : null;
    const contentHash = contentHashOf({
      tenantId: r.tenant.id,
      optionKey: r.optionKey,
      operation,
      value,
      reason: r.reason,
      baseVersion: r.baseVersion,
    });
    const id = randomUUID();
    await tx.changeRequest.create({
      data: {
        id,
        tenantId: r.tenant.id,
        optionKey: r.optionKey,
        operation,
        value: r.change.isSet ? jsonInput(value) : undefined,
        reason: r.reason,
        contentHash,
        revision: 1,
        baseVersion: r.baseVersion,
        needsOperator: r.need.operator,
        needsClient: r.need.clientAdmin,
        status: 'pending',
        requestedById: r.actor.id,
        requestedBy: r.actor.name,
        requestedByRole: r.actor.role,
        createdAt: now,
        updatedAt: now,
        expiresAt: new Date(now.getTime() + CHANGE_REQUEST_TTL_MS),
        breakGlassSealId: r.breakGlassSealId ?? null,
      },
    });
    const row = await this.lock(tx, id);
    if (!row) throw new Error('change request vanished after insert');
    await this.audit.record(tx, {
      actor: r.actor,
      action: 'change_request.created',
      tenantId: r.tenant.id,
      optionKey: r.optionKey,
      after: {
        id,
        operation,
        ...(r.change.isSet ? { value } : {}),
        contentHash,
        required: r.need,
        ...(r.breakGlassSealId ? { breakGlassSeal: r.breakGlassSealId } : {}),
      },
      reason: r.reason,
      requestId: r.requestId,
      at: now,
    });
    // Nobody has approved a request just filed, and its requester is the caller.
    return toView(row, r.tenant.slug, { standing: () => ({ forClient: false, madeBy: null }), yourApproval: standing(OWN_REQUEST) });
  }

  /** Loads and locks one request (with its approvals); null when absent or not visible. */
  async lock(tx: PrismaTx, id: string) {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM change_requests WHERE id = ${id}::uuid FOR UPDATE`;
    if (locked.length === 0) return null;
    return tx.changeRequest.findUnique({ where: { id }, include: { approvals: { orderBy: { approvedAt: 'asc' } } } });
  }
}

export type ChangeRequestRow = Row;

export function isExpired(row: { status: string; expiresAt: Date }, now = new Date()): boolean {
  return row.status === 'pending' && row.expiresAt.getTime() <= now.getTime();
}

/** What a view says of its approvers and its caller, read by the caller's service (change-request.views.ts). */
export interface ViewFacts {
  standing: (approver: { id: string; role: string }) => ClientStanding;
  yourApproval: YourApproval;
}

export function toView(row: Row, tenantSlug: string, facts: ViewFacts): ChangeRequestView {
  return {
    id: row.id,
    tenant: tenantSlug,
    option: row.optionKey,
    operation: row.operation as 'set' | 'reset',
    ...(row.operation === 'set' ? { value: row.value } : {}),
    reason: row.reason,
    contentHash: row.contentHash,
    revision: row.revision,
    baseVersion: row.baseVersion,
    status: isExpired(row) ? 'expired' : (row.status as RequestStatus),
    required: { operator: row.needsOperator, clientAdmin: row.needsClient },
    approvals: row.approvals
      .filter((a) => a.contentHash === row.contentHash)
      .map((a) => ({
        principal: { id: a.principalId, name: a.principalName },
        role: a.role,
        at: a.approvedAt.toISOString(),
        ...facts.standing({ id: a.principalId, role: a.role }),
      })),
    yourApproval: facts.yourApproval,
    requestedBy: { id: row.requestedById, name: row.requestedBy, role: row.requestedByRole },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
    decidedBy: row.decidedById ? { id: row.decidedById, name: row.decidedBy ?? '' } : null,
    decisionReason: row.decisionReason,
    breakGlassSeal: row.breakGlassSealId,
  };
}
