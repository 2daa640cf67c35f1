import { Inject, Injectable, Optional } from '@nestjs/common';
import { recordAuditAppend } from '#observability';
import type { PrismaTx } from '#persistence';
import type { Actor } from '#tenancy';
import { GLOBAL_CHAIN, contentHash, type AuditContent } from '#audit-format';
import { jsonDiff } from '#audit-format';
import { AuditWitness } from './audit.witness.js';

export const AUDIT_ACTIONS = [
  'tenant.created',
  'tenant.signed_approvals_changed',
  'option.set',
  'option.reset',
  'principal.created',
  'principal.revoked',
  'principal.requested',
  'principal.request_approved',
  'principal.token_delivered',
  'invitation.created',
  'invitation.sent',
  'invitation.redeemed',
  'invitation.redeem_refused',
  'change_request.created',
  'change_request.edited',
  'change_request.approved',
  'change_request.rejected',
  'change_request.withdrawn',
  'change_request.expired',
  'change_request.applied',
  'preset.applied',
  'registry.default_changed',
  'option.pinned',
  'option.default_applied',
  'seal.proposed',
  'seal.approved',
  'seal.activated',
  'seal.lift_approved',
  'seal.break_glass_approved',
  'seal.lifted',
  'audit.key_published',
  'audit.key_rotated',
  'operator.recovered',
  'credential.enrolled',
  'credential.removed',
  'credential.introduced',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Actions whose before → after is recorded with a field-level diff. */
const VALUE_CHANGES: readonly AuditAction[] = ['option.set', 'option.reset', 'option.default_applied'];

export interface AuditEntry {
  actor: Actor;
  action: AuditAction;
  /** Null only for events about cross-tenant principals. */
  tenantId: string | null;
  optionKey?: string;
  before?: unknown;
  after?: unknown;
  reason?: string;
  requestId?: string;
  at?: Date;
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

/** An event ready to append: its hashed content and the arguments of `cloison_audit_append`. */
export interface PreparedEvent {
  content: AuditContent;
  contentHash: string;
  /** In the order of the SQL function's parameters (see the single-statement migration). */
  args: unknown[];
}

/** Where an appended event sits in the global chain and in its tenant's chain. */
export interface AppendedEvent {
  event_seq: bigint;
  event_hash: string;
  event_tenant_seq: bigint | null;
  event_tenant_hash: string | null;
}

/** Where an event appended to its tenant's chain only sits; the linker gives it its global place. */
export interface UnlinkedEvent {
  event_tenant_seq: bigint | string | null;
  event_tenant_hash: string | null;
}

/** Placeholders for the audit arguments when they follow `offset` other parameters. */
export function auditPlaceholders(offset: number): string {
  return ['uuid', 'timestamptz', 'text', 'text', 'text', 'text', 'text', 'jsonb', 'jsonb', 'jsonb', 'text', 'text', 'text']
    .map((type, i) => `$${offset + i + 1}::${type}`)
    .join(', ');
}

/**
 * Writes one audit event inside the caller's transaction, so the change and its record
 * commit or fail together. The event joins its tenant's chain and the global chain by one SQL
 * function that advances both heads (locked rows: dense, ordered sequence numbers, never reused),
 * linking before it whatever of its tenant is still unlinked. Call it last in the transaction: the
 * global head stays locked until commit. (Direct option changes append to their tenant's chain
 * only, and leave the global link to the AuditLinker: see OptionStore.applyAlone.)
 */
@Injectable()
export class AuditRecorder {
  constructor(@Optional() @Inject(AuditWitness) private readonly witness?: AuditWitness) {}

  async record(tx: PrismaTx, entry: AuditEntry): Promise<{ seq: bigint }> {
    const event = this.prepare(entry);
    const rows = await tx.$queryRawUnsafe<AppendedEvent[]>(`SELECT * FROM cloison_audit_append(${auditPlaceholders(0)})`, ...event.args);
    return this.appended(event, rows[0]);
  }

  /** The event's content, hash and SQL arguments, for a statement that appends it itself. */
  prepare(entry: AuditEntry): PreparedEvent {
    const at = entry.at ?? new Date();
    const content: AuditContent = {
      tenantId: entry.tenantId,
      at: at.toISOString(),
      actor: { id: entry.actor.id, name: entry.actor.name, role: entry.actor.role },
      action: entry.action,
      option: entry.optionKey ?? null,
      before: entry.before ?? null,
      after: entry.after ?? null,
      diff: VALUE_CHANGES.includes(entry.action) ? jsonDiff(entry.before ?? null, entry.after ?? null) : null,
      reason: entry.reason ?? null,
      requestId: entry.requestId ?? null,
    };
    const hash = contentHash(content);
    const args = [
      content.tenantId,
      at,
      content.actor.id,
      content.actor.name,
      content.actor.role,
      content.action,
      content.option,
      json(entry.before),
      json(entry.after),
      json(content.diff ?? undefined),
      content.reason,
      content.requestId,
      hash,
    ];
    return { content, contentHash: hash, args };
  }

  /**
   * Tells the witness and the metrics about an event its statement appended to its tenant's chain
   * only; its global link is the AuditLinker's (awaited before the change is acknowledged).
   */
  appendedUnlinked(event: PreparedEvent, row: UnlinkedEvent): void {
    const tenant = event.content.tenantId;
    if (!tenant || row.event_tenant_seq === null || row.event_tenant_hash === null)
      throw new Error('audit event without its tenant chain position');
    this.witness?.saw([{ chain: tenant, seq: Number(row.event_tenant_seq), hash: row.event_tenant_hash }]);
    recordAuditAppend(event.content.action as AuditAction);
  }

  /** Tells the witness (checkpoints) and the metrics about an event its statement appended. */
  appended(event: PreparedEvent, row: AppendedEvent | undefined): { seq: bigint } {
    if (!row) throw new Error('audit chain head is missing');
    const heads = [{ chain: GLOBAL_CHAIN, seq: Number(row.event_seq), hash: row.event_hash }];
    const tenant = event.content.tenantId;
    if (tenant && row.event_tenant_seq !== null && row.event_tenant_hash !== null) {
      heads.push({ chain: tenant, seq: Number(row.event_tenant_seq), hash: row.event_tenant_hash });
    }
    this.witness?.saw(heads);
    recordAuditAppend(event.content.action as AuditAction);
    return { seq: BigInt(row.event_seq) };
  }
}
