import { Injectable } from '@nestjs/common';
import { jsonInput, type PrismaTx } from '../../persistence/src/index.js';
import type { Actor } from '../../tenancy/src/index.js';

export const AUDIT_ACTIONS = [
  'tenant.created',
  'option.set',
  'option.reset',
  'principal.created',
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
  'seal.proposed',
  'seal.approved',
  'seal.activated',
  'seal.lift_approved',
  'seal.break_glass_approved',
  'seal.lifted',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

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

/**
 * Writes one audit event inside the caller's transaction, so the change and its record
 * commit or fail together. Sequence numbers come from locked chain heads: dense, ordered,
 * never reused. Call it last in the transaction, to hold the global head lock briefly.
 */
@Injectable()
export class AuditRecorder {
  async record(tx: PrismaTx, entry: AuditEntry): Promise<{ seq: bigint }> {
    const [global] = await tx.$queryRaw<{ seq: bigint }[]>`
      UPDATE audit_heads SET seq = seq + 1 WHERE chain = 'global' RETURNING seq`;
    if (!global) throw new Error('audit chain head is missing');
    let tenantSeq: bigint | null = null;
    if (entry.tenantId) {
      const [head] = await tx.$queryRaw<{ seq: bigint }[]>`
        INSERT INTO audit_heads (chain, seq, hash) VALUES (${entry.tenantId}, 1, '')
        ON CONFLICT (chain) DO UPDATE SET seq = audit_heads.seq + 1 RETURNING seq`;
      tenantSeq = head?.seq ?? null;
    }
    await tx.auditEvent.create({
      data: {
        seq: global.seq,
        tenantId: entry.tenantId,
        tenantSeq,
        occurredAt: entry.at ?? new Date(),
        actorId: entry.actor.id,
        actorName: entry.actor.name,
        actorRole: entry.actor.role,
        action: entry.action,
        optionKey: entry.optionKey ?? null,
        before: entry.before === undefined ? undefined : jsonInput(entry.before),
        after: entry.after === undefined ? undefined : jsonInput(entry.after),
        reason: entry.reason ?? null,
        requestId: entry.requestId ?? null,
      },
    });
    return { seq: global.seq };
  }
}
