import { Inject, Injectable, Optional } from '@nestjs/common';
import { recordAuditAppend } from '../../observability/src/index.js';
import type { PrismaTx } from '../../persistence/src/index.js';
import type { Actor } from '../../tenancy/src/index.js';
import { GENESIS_HASH, GLOBAL_CHAIN, contentHash, type AuditContent } from './audit.chain.js';
import { jsonDiff } from './audit.diff.js';
import { AuditWitness } from './audit.witness.js';

export const AUDIT_ACTIONS = [
  'tenant.created',
  'option.set',
  'option.reset',
  'principal.created',
  'principal.revoked',
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

/** Actions whose before → after is recorded with a field-level diff. */
const VALUE_CHANGES: readonly AuditAction[] = ['option.set', 'option.reset'];

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

/**
 * Writes one audit event inside the caller's transaction, so the change and its record
 * commit or fail together. The event is linked into the global chain and its tenant's chain
 * in one statement that advances both heads (locked rows: dense, ordered sequence numbers,
 * never reused) and inserts the row. Call it last in the transaction: the global head stays
 * locked until commit.
 */
@Injectable()
export class AuditRecorder {
  constructor(@Optional() @Inject(AuditWitness) private readonly witness?: AuditWitness) {}

  async record(tx: PrismaTx, entry: AuditEntry): Promise<{ seq: bigint }> {
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
    const h = contentHash(content);
    const tenant = entry.tenantId;
    // Link hash = sha256(previous link hash || content hash), both hex text: see docs/audit.md.
    const rows = await tx.$queryRaw<{ seq: bigint; hash: string; tenant_seq: bigint | null; tenant_hash: string | null }[]>`
      WITH t AS (
        INSERT INTO audit_heads AS h (chain, seq, hash)
        SELECT ${tenant}::text, 1, encode(sha256(convert_to(${GENESIS_HASH} || ${h}, 'UTF8')), 'hex')
        WHERE ${tenant}::text IS NOT NULL
        ON CONFLICT (chain) DO UPDATE SET seq = h.seq + 1, hash = encode(sha256(convert_to(h.hash || ${h}, 'UTF8')), 'hex')
        RETURNING seq, hash
      ), g AS (
        UPDATE audit_heads SET seq = seq + 1, hash = encode(sha256(convert_to(hash || ${h}, 'UTF8')), 'hex')
        WHERE chain = ${GLOBAL_CHAIN} RETURNING seq, hash
      )
      INSERT INTO audit_events (seq, tenant_id, tenant_seq, occurred_at, actor_id, actor_name, actor_role, action,
                                option_key, before, after, diff, reason, request_id, content_hash, hash, tenant_hash)
      SELECT g.seq, ${tenant}::uuid, t.seq, ${at}::timestamptz, ${content.actor.id}, ${content.actor.name}, ${content.actor.role},
             ${content.action}, ${content.option}, ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb,
             ${json(content.diff ?? undefined)}::jsonb, ${content.reason}, ${content.requestId}, ${h}, g.hash, t.hash
        FROM g LEFT JOIN t ON true
      RETURNING seq, hash, tenant_seq, tenant_hash`;
    const row = rows[0];
    if (!row) throw new Error('audit chain head is missing');
    const heads = [{ chain: GLOBAL_CHAIN, seq: Number(row.seq), hash: row.hash }];
    if (tenant && row.tenant_seq !== null && row.tenant_hash !== null) {
      heads.push({ chain: tenant, seq: Number(row.tenant_seq), hash: row.tenant_hash });
    }
    this.witness?.saw(heads);
    recordAuditAppend(entry.action);
    return { seq: row.seq };
  }
}
