import { isDeepStrictEqual } from 'node:util';
import type { ChainedEvent } from '#audit-format';
import { ModelMismatch } from './http.js';
import type { ExpectedEvent, Model, World } from './model.js';

/** An audit row as read through json_agg: bigints as numbers, the time as a string. */
export interface EventRow {
  seq: number;
  tenant_id: string | null;
  tenant_seq: number | null;
  occurred_at: string;
  actor_id: string;
  actor_name: string;
  actor_role: string;
  action: string;
  option_key: string | null;
  before: unknown;
  after: unknown;
  diff: unknown;
  reason: string | null;
  request_id: string | null;
  content_hash: string;
  hash: string;
  tenant_hash: string | null;
}

/** An audit row as the chain verifier reads it. */
export function chained(e: EventRow): ChainedEvent {
  return {
    seq: e.seq,
    tenantSeq: e.tenant_seq,
    tenantId: e.tenant_id,
    at: new Date(e.occurred_at).toISOString(),
    actor: { id: e.actor_id, name: e.actor_name, role: e.actor_role },
    action: e.action,
    option: e.option_key,
    before: e.before,
    after: e.after,
    diff: e.diff,
    reason: e.reason,
    requestId: e.request_id,
    contentHash: e.content_hash,
    hash: e.hash,
    tenantHash: e.tenant_hash,
  };
}

function sameEvents(got: EventRow[], want: ExpectedEvent[]): boolean {
  if (got.length !== want.length) return false;
  return got.every((g, i) => {
    const w = want[i] as ExpectedEvent;
    return g.action === w.action && g.option_key === w.optionKey && (w.after === undefined || isDeepStrictEqual(g.after, w.after));
  });
}

interface Snapshot {
  values: { tenant_id: string; option_key: string; is_set: boolean; value: unknown; version: number }[];
  fresh: EventRow[];
  heads: { n: number; max: number | null };
  tenants: string[];
}

const SNAPSHOT = `SELECT json_build_object(
  'values', (SELECT coalesce(json_agg(v), '[]') FROM (SELECT tenant_id, option_key, is_set, value, version FROM option_values WHERE tenant_id = ANY($1::uuid[])) v),
  'fresh', (SELECT coalesce(json_agg(e ORDER BY e.seq), '[]') FROM audit_events e WHERE e.seq > $2),
  'heads', (SELECT json_build_object('n', count(*), 'max', max(seq)) FROM audit_events),
  'tenants', (SELECT coalesce(json_agg(id), '[]') FROM tenants)) AS snapshot`;

const show = (events: { action: string; option_key?: string | null; optionKey?: string | null }[]) =>
  events.map((e) => `${e.action}${(e.option_key ?? e.optionKey) ? `:${e.option_key ?? e.optionKey}` : ''}`).join(', ');

/**
 * The database, read as superuser, against the model: every tenant's stored values; the audit
 * events written since the run started, tenant by tenant and for the cross-tenant chain (one
 * per change, request, approval or decision, nothing for refused requests); dense sequence
 * numbers; hash chains recomputed event by event; no critical option in a bulk change; the
 * tenant list.
 */
export async function checkInvariants(m: Model, w: World): Promise<void> {
  w.stats.checks++;
  const ids = m.tenants.map((t) => t.id);
  // One statement: it runs after every command. Events are read from the last one the chain
  // verifier saw, so that the run's set-up events are chained too.
  const { values, fresh, heads, tenants } = await w.t.superuser(
    async (c) => (await c.query<{ snapshot: Snapshot }>(SNAPSHOT, [ids, w.chain.seq])).rows[0]?.snapshot as Snapshot,
  );

  const problems: string[] = [];
  for (const e of fresh) {
    w.chain.verifier.event(chained(e));
    w.chain.seq = e.seq;
    if (e.option_key && w.risks.get(e.option_key) === 'critical' && e.reason?.includes('(bulk change '))
      problems.push(`critical option ${e.option_key} changed in bulk (event ${e.seq})`);
  }
  if (w.chain.verifier.broken) problems.push(`audit chain broken: ${JSON.stringify(w.chain.verifier.finish())}`);
  const events = fresh.filter((e) => e.seq > m.checkedSeq);
  const stored = new Map(values.map((v) => [`${v.tenant_id}/${v.option_key}`, v]));
  for (const t of m.tenants) {
    for (const [key, s] of t.options) {
      const row = stored.get(`${t.id}/${key}`);
      stored.delete(`${t.id}/${key}`);
      if (!row || row.is_set !== s.isSet || row.version !== s.version || !isDeepStrictEqual(row.value, s.value)) {
        problems.push(`${t.slug}/${key}: stored ${JSON.stringify(row ?? null)}, model ${JSON.stringify(s)}`);
      }
    }
  }
  for (const [k, row] of stored) problems.push(`${k}: stored ${JSON.stringify(row)} but the model never changed it`);

  // Only events written since the last check are read; they must be exactly the model's events
  // that came after the ones already compared, tenant by tenant.
  const byTenant = new Map<string | null, EventRow[]>();
  for (const e of events) byTenant.set(e.tenant_id, [...(byTenant.get(e.tenant_id) ?? []), e]);
  const streams: [string | null, string, ExpectedEvent[], number][] = [
    ...m.tenants.map((t): [string | null, string, ExpectedEvent[], number] => [t.id, t.slug, t.events, t.initialEvents]),
    [null, 'cross-tenant audit', m.globalEvents, 0],
  ];
  for (const [id, label, expected, initial] of streams) {
    const done = m.checked.get(id) ?? 0;
    const got = byTenant.get(id) ?? [];
    byTenant.delete(id);
    const want = expected.slice(done);
    if (!sameEvents(got, want))
      problems.push(`audit of ${label} after its first ${done} events: stored [${show(got)}], model [${show(want)}]`);
    got.forEach((e, i) => {
      if (id !== null && e.tenant_seq !== initial + done + i + 1)
        problems.push(`audit of ${label}: tenant_seq ${e.tenant_seq} is not dense`);
    });
    m.checked.set(id, expected.length);
  }
  for (const [tenant, rows] of byTenant) problems.push(`audit events for tenant ${tenant} outside the run: [${show(rows)}]`);

  const expectedTotal = m.checkedSeq + events.length;
  if (heads.n !== expectedTotal || heads.max !== expectedTotal) {
    problems.push(`audit sequence is not dense: ${heads.n} events, highest seq ${heads.max}, expected ${expectedTotal}`);
  }
  m.checkedSeq = expectedTotal;
  const known = new Set(w.tenants.map((t) => t.id));
  if (tenants.length !== known.size || tenants.some((id) => !known.has(id)))
    problems.push(`${tenants.length} tenants stored, the model knows ${known.size}`);

  if (problems.length) throw new ModelMismatch(`database differs from the model:\n  ${problems.join('\n  ')}`);
}
