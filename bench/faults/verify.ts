import { isDeepStrictEqual } from 'node:util';
import { withClient, type Acked } from './support.js';

/**
 * Reads the database as its owner and lists every way it breaks "a 2xx means committed and
 * audited" or "no partial write": an acknowledged change missing from the values or the audit
 * log; a stored option whose version or value disagrees with its audit events; gaps in the
 * audit sequences.
 */
export async function durabilityProblems(dbUrl: string, acked: Acked[]): Promise<string[]> {
  return withClient(dbUrl, async (c) => {
    const problems: string[] = [];
    const tenants = new Map((await c.query<{ id: string; slug: string }>('SELECT id, slug FROM tenants')).rows.map((r) => [r.slug, r.id]));
    const events = (
      await c.query<{
        seq: string;
        tenant_id: string | null;
        tenant_seq: string | null;
        action: string;
        option_key: string | null;
        after: unknown;
      }>('SELECT seq, tenant_id, tenant_seq, action, option_key, after FROM audit_events ORDER BY seq')
    ).rows;
    const values = (
      await c.query<{ tenant_id: string; option_key: string; is_set: boolean; value: unknown; version: number }>(
        'SELECT * FROM option_values',
      )
    ).rows;

    events.forEach((e, i) => {
      if (Number(e.seq) !== i + 1) problems.push(`audit seq ${e.seq} at position ${i + 1}: not dense`);
    });
    const perTenant = new Map<string, typeof events>();
    for (const e of events) if (e.tenant_id) perTenant.set(e.tenant_id, [...(perTenant.get(e.tenant_id) ?? []), e]);
    for (const [tenant, list] of perTenant) {
      list.forEach((e, i) => {
        if (Number(e.tenant_seq) !== i + 1) problems.push(`tenant ${tenant}: tenant_seq ${e.tenant_seq} at position ${i + 1}`);
      });
    }

    for (const a of acked) {
      const id = tenants.get(a.tenant);
      if (!id) {
        problems.push(`acknowledged tenant ${a.tenant} is missing`);
        continue;
      }
      if (a.kind === 'tenant') {
        if (!events.some((e) => e.tenant_id === id && e.action === 'tenant.created'))
          problems.push(`tenant ${a.tenant}: no tenant.created event`);
        continue;
      }
      if (!events.some((e) => e.tenant_id === id && e.option_key === a.key && isDeepStrictEqual(e.after, a.value))) {
        problems.push(`acknowledged ${a.tenant}/${a.key} = ${JSON.stringify(a.value)} has no audit event`);
      }
    }

    // Each stored option is exactly what its audit events say: one event per version, the last
    // event's value stored. A change without its event (or the reverse) shows up here.
    for (const v of values) {
      const list = events.filter((e) => e.tenant_id === v.tenant_id && e.option_key === v.option_key);
      const last = list[list.length - 1];
      if (list.length !== v.version) problems.push(`${v.tenant_id}/${v.option_key}: version ${v.version} but ${list.length} audit events`);
      if (!last || !isDeepStrictEqual(last.after, v.value))
        problems.push(`${v.tenant_id}/${v.option_key}: stored value is not the last audited one`);
    }
    for (const e of events) {
      if (e.option_key && !values.some((v) => v.tenant_id === e.tenant_id && v.option_key === e.option_key)) {
        problems.push(`audit event ${e.seq} for ${e.option_key} but no stored value`);
      }
    }
    const ackedValues = acked.filter((a) => a.kind === 'option').length;
    if (ackedValues === 0) problems.push('no write was acknowledged: the scenario proved nothing');
    return problems;
  });
}
