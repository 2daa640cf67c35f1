import type { AuditEvent } from '#persistence';
import { GLOBAL_CHAIN, type ChainedEvent, type Checkpoint } from '#audit-format';
import type { TenantScopeService } from '#tenancy';

const BATCH = 1000;

export type ChainItem = { kind: 'event'; event: ChainedEvent } | { kind: 'checkpoint'; checkpoint: Checkpoint };

/** The global chain, or one tenant's chain (tenant id). */
export type ChainRef = { chain: typeof GLOBAL_CHAIN } | { chain: string; tenantId: string };

/** An event as the verifier and exports see it; one not linked yet has no global fields. */
export function toChained(e: AuditEvent): ChainedEvent {
  return {
    seq: e.seq === null ? undefined : Number(e.seq),
    tenantSeq: e.tenantSeq === null ? null : Number(e.tenantSeq),
    tenantId: e.tenantId,
    at: e.occurredAt.toISOString(),
    actor: { id: e.actorId, name: e.actorName, role: e.actorRole },
    action: e.action,
    option: e.optionKey,
    before: e.before,
    after: e.after,
    diff: e.diff,
    reason: e.reason,
    requestId: e.requestId,
    contentHash: e.contentHash,
    hash: e.hash ?? undefined,
    tenantHash: e.tenantHash,
  };
}

/**
 * Reads a chain in order, in batches (each its own short transaction): events by their chain
 * sequence number, each followed by the checkpoints signed at it. Memory stays flat.
 */
export async function* readChain(scopes: TenantScopeService, ref: ChainRef, upTo: number): AsyncGenerator<ChainItem> {
  const tenantId = 'tenantId' in ref ? ref.tenantId : null;
  const scope = tenantId ? { tenantId } : ('all-tenants' as const);
  let after = 0n;
  const limit = BigInt(upTo);
  for (;;) {
    const { events, checkpoints } = await scopes.run(scope, async (tx) => {
      const events = tenantId
        ? await tx.auditEvent.findMany({
            where: { tenantId, tenantSeq: { gt: after, lte: limit } },
            orderBy: { tenantSeq: 'asc' },
            take: BATCH,
          })
        : await tx.auditEvent.findMany({ where: { seq: { gt: after, lte: limit } }, orderBy: { seq: 'asc' }, take: BATCH });
      const last = events.length === BATCH ? seqOf(events[events.length - 1] as AuditEvent, tenantId) : limit;
      const checkpoints = await tx.auditCheckpoint.findMany({
        where: { chain: ref.chain, seq: { gt: after, lte: last } },
        orderBy: { seq: 'asc' },
      });
      return { events, checkpoints };
    });
    let i = 0;
    for (const row of events) {
      const s = seqOf(row, tenantId);
      while (i < checkpoints.length && (checkpoints[i] as { seq: bigint }).seq < s) yield cp(checkpoints[i++]);
      yield { kind: 'event', event: toChained(row) };
      while (i < checkpoints.length && (checkpoints[i] as { seq: bigint }).seq === s) yield cp(checkpoints[i++]);
    }
    while (i < checkpoints.length) yield cp(checkpoints[i++]);
    if (events.length < BATCH) return;
    after = seqOf(events[events.length - 1] as AuditEvent, tenantId);
  }
}

function seqOf(e: AuditEvent, tenantId: string | null): bigint {
  return (tenantId ? e.tenantSeq : e.seq) as bigint;
}

function cp(
  row: { chain: string; seq: bigint; head: string; signedAt: Date; keyFingerprint: string; signature: string } | undefined,
): ChainItem {
  if (!row) throw new Error('checkpoint index out of range');
  return {
    kind: 'checkpoint',
    checkpoint: {
      chain: row.chain,
      seq: Number(row.seq),
      head: row.head,
      at: row.signedAt.toISOString(),
      key: row.keyFingerprint,
      signature: row.signature,
    },
  };
}

/** Highest sequence numbers present in the chain's events and checkpoints (not the head row, which is mutable). */
export async function chainEnd(scopes: TenantScopeService, ref: ChainRef): Promise<{ events: number; checkpoints: number }> {
  const tenantId = 'tenantId' in ref ? ref.tenantId : null;
  return scopes.run(tenantId ? { tenantId } : 'all-tenants', async (tx) => {
    const ev = tenantId
      ? await tx.auditEvent.aggregate({ where: { tenantId }, _max: { tenantSeq: true } })
      : await tx.auditEvent.aggregate({ _max: { seq: true } });
    const c = await tx.auditCheckpoint.aggregate({ where: { chain: ref.chain }, _max: { seq: true } });
    const evMax = tenantId ? (ev._max as { tenantSeq?: bigint | null }).tenantSeq : (ev._max as { seq?: bigint | null }).seq;
    return { events: Number(evMax ?? 0n), checkpoints: Number(c._max.seq ?? 0n) };
  });
}
