import { isDeepStrictEqual } from 'node:util';
import type { AdversaryRun } from './adversary-steps.js';
import type { AdvModel } from './adversary-world.js';
import { ModelMismatch, type Reply } from './http.js';
import { chained, type EventRow } from './invariants.js';
import type { World } from './model.js';

interface ValueRow {
  tenant_id: string;
  option_key: string;
  is_set: boolean;
  value: unknown;
  version: number;
}

interface State {
  values: ValueRow[];
  seals: { id: string; tenant_id: string; status: string; break_glass: boolean }[];
  operators: number;
  admins: { id: string; tenant_id: string }[];
  held: { id: string; lineage_id: string; revoked_at: string | null }[];
  fresh: EventRow[];
  heads: { n: number; max: number | null };
}

/** What honest people left: the adversary alone must not move any of it. */
export interface AdversaryBaseline {
  values: Map<string, ValueRow>;
  seals: Map<string, { status: string; break_glass: boolean }>;
  operators: number;
  /** Active client admins of each tenant that had one. */
  admins: Map<string, string[]>;
}

const STATE = `SELECT json_build_object(
  'values', (SELECT coalesce(json_agg(v), '[]') FROM (SELECT tenant_id, option_key, is_set, value, version FROM option_values WHERE tenant_id = ANY($1::uuid[])) v),
  'seals', (SELECT coalesce(json_agg(s), '[]') FROM (SELECT id, tenant_id, status, break_glass FROM seals WHERE tenant_id = ANY($1::uuid[])) s),
  'operators', (SELECT count(*) FROM principals WHERE role = 'operator'),
  'admins', (SELECT coalesce(json_agg(p), '[]') FROM (SELECT id, tenant_id FROM principals WHERE role = 'client_admin' AND revoked_at IS NULL AND tenant_id = ANY($1::uuid[])) p),
  'held', (SELECT coalesce(json_agg(p), '[]') FROM (SELECT id, lineage_id, revoked_at FROM principals WHERE id = ANY($2::uuid[])) p),
  'fresh', (SELECT coalesce(json_agg(e ORDER BY e.seq), '[]') FROM audit_events e WHERE e.seq > $3),
  'heads', (SELECT json_build_object('n', count(*), 'max', max(seq)) FROM audit_events)) AS state`;

async function readState(m: AdvModel, w: World): Promise<State> {
  const held = [...m.principals.map((p) => p.id), m.honest.operator2];
  return w.t.superuser(
    async (c) => (await c.query<{ state: State }>(STATE, [m.tenants.map((t) => t.id), held, w.chain.seq])).rows[0]?.state as State,
  );
}

/** Audit events written since the last look, chained and verified as they appear; dense sequence numbers. */
function chainProblems(w: World, s: State): string[] {
  const problems: string[] = [];
  for (const e of s.fresh) {
    w.chain.verifier.event(chained(e));
    w.chain.seq = e.seq;
  }
  if (w.chain.verifier.broken) problems.push(`audit chain broken: ${JSON.stringify(w.chain.verifier.finish())}`);
  if (s.heads.n !== s.heads.max) problems.push(`audit sequence is not dense: ${s.heads.n} events, highest seq ${s.heads.max}`);
  return problems;
}

const byTenant = <T extends { tenant_id: string }>(rows: T[]) => {
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.tenant_id, [...(out.get(r.tenant_id) ?? []), (r as unknown as { id: string }).id].sort());
  return out;
};

/** Reads the honest world as the adversary finds it (and chains the events that made it). */
export async function captureBaseline(m: AdvModel, w: World): Promise<AdversaryBaseline> {
  const s = await readState(m, w);
  const problems = chainProblems(w, s);
  if (problems.length) throw new ModelMismatch(`preparing the adversary's world:\n  ${problems.join('\n  ')}`);
  return {
    values: new Map(s.values.map((v) => [`${v.tenant_id}/${v.option_key}`, v])),
    seals: new Map(s.seals.map((x) => [x.id, { status: x.status, break_glass: x.break_glass }])),
    operators: s.operators,
    admins: byTenant(s.admins),
  };
}

/**
 * What one person must never reach alone, read from the database as superuser after every move:
 * a high or critical option (any option of a risk level 3 tenant) whose effective value differs
 * from what honest people left; any stored value of a sealed tenant changed; a seal lifted, broken
 * or newly activated; a new operator; a client admin added to or revoked from a tenant that had
 * one; the other operator revoked; a principal the adversary holds that is not its own person.
 * The audit chains verify, and a refused request recorded nothing. `last` is the move just made.
 */
export async function checkAdversaryWorld(run: AdversaryRun, w: World, last: Reply, refused: boolean): Promise<void> {
  const { model: m, baseline: b } = run;
  w.stats.checks++;
  const s = await readState(m, w);
  const problems = chainProblems(w, s);
  if (refused && s.fresh.length) problems.push(`a refused request recorded ${s.fresh.map((e) => e.action).join(', ')}`);

  const now = new Map(s.values.map((v) => [`${v.tenant_id}/${v.option_key}`, v]));
  const effective = (row: ValueRow | undefined, key: string) => (row?.is_set ? row.value : w.defaults.get(key));
  for (const t of m.tenants) {
    for (const key of w.defaults.keys()) {
      const was = b.values.get(`${t.id}/${key}`);
      const is = now.get(`${t.id}/${key}`);
      const risk = w.risks.get(key);
      const guarded = risk === 'high' || risk === 'critical' || t.riskLevel === 3;
      if (guarded && !isDeepStrictEqual(effective(is, key), effective(was, key))) {
        problems.push(
          `${t.slug} (risk level ${t.riskLevel}): ${risk} option ${key} is ${JSON.stringify(effective(is, key))}, honest people left ${JSON.stringify(effective(was, key))}`,
        );
      }
      if (t.sealed && !isDeepStrictEqual(is, was))
        problems.push(`sealed ${t.slug}: ${key} stored ${JSON.stringify(is ?? null)}, sealed as ${JSON.stringify(was ?? null)}`);
    }
  }
  for (const x of s.seals) {
    const was = b.seals.get(x.id);
    if (was && (x.status !== was.status || x.break_glass !== was.break_glass))
      problems.push(`seal ${x.id}: ${was.status} became ${x.status}${x.break_glass ? ' (break-glass)' : ''}`);
    if (!was && x.status !== 'proposed') problems.push(`the adversary's seal ${x.id} is ${x.status}`);
  }
  if (s.operators !== b.operators) problems.push(`${s.operators} operator principals, ${b.operators} before the adversary acted`);
  const admins = byTenant(s.admins);
  for (const [tenant, was] of b.admins) {
    const is = admins.get(tenant) ?? [];
    if (!isDeepStrictEqual(is, was))
      problems.push(`client admins of ${tenant}: [${is.join(', ')}], honest people left [${was.join(', ')}]`);
  }
  for (const p of s.held) {
    if (p.id === m.honest.operator2) {
      if (p.revoked_at) problems.push("the other person's operator was revoked");
    } else if (p.lineage_id !== m.lineage)
      problems.push(`the adversary holds principal ${p.id} of another person (lineage ${p.lineage_id})`);
  }
  if (problems.length)
    throw new ModelMismatch(`the adversary reached what one person must not:\n  ${problems.join('\n  ')}\n  after ${last.describe}`);
}
