import type { ChainedEvent, TenantState } from '#audit-format';
import type { TenantScopeService } from '#tenancy';
import type { ChainRef } from './audit-chain.reader.js';

type StateRow = { tenant_id: string; tenant_seq: bigint; option_key: string | null; version: number; value: unknown; is_set: boolean };

/**
 * The stored option rows of the chain's tenant (every tenant for the global chain), each tenant's
 * with the last event of its chain they follow. One statement, hence one snapshot: a row write and
 * its audit event commit together, so the rows read are exactly what that event leaves.
 */
export async function readStates(scopes: TenantScopeService, ref: ChainRef): Promise<TenantState[]> {
  const tenantId = 'tenantId' in ref ? ref.tenantId : null;
  const rows = await scopes.run(
    tenantId ? { tenantId } : 'all-tenants',
    (tx) =>
      tx.$queryRaw<StateRow[]>`
      SELECT t.id::text AS tenant_id, h.seq AS tenant_seq, v.option_key, v.version, v.value, v.is_set
        FROM tenants t
       CROSS JOIN LATERAL (SELECT coalesce(max(e.tenant_seq), 0)::bigint AS seq FROM audit_events e WHERE e.tenant_id = t.id) h
        LEFT JOIN option_values v ON v.tenant_id = t.id
       WHERE ${tenantId}::uuid IS NULL OR t.id = ${tenantId}::uuid
       ORDER BY t.id, v.option_key`,
  );
  const states = new Map<string, TenantState>();
  for (const r of rows) {
    let s = states.get(r.tenant_id);
    if (!s) states.set(r.tenant_id, (s = { tenantId: r.tenant_id, tenantSeq: Number(r.tenant_seq), options: [] }));
    if (r.option_key !== null) s.options.push({ key: r.option_key, version: r.version, value: r.value, isSet: r.is_set });
  }
  return [...states.values()];
}

/**
 * Where each state goes in a walk of the chain: those that precede every event of their tenant
 * (`first`), then each one right after the event it follows (`after`). A state whose event the
 * walk does not reach (not linked into the global chain yet) is left out.
 */
export function statePlacement(states: readonly TenantState[]): {
  first: TenantState[];
  after(e: Pick<ChainedEvent, 'tenantId' | 'tenantSeq'>): TenantState | undefined;
} {
  const waiting = new Map(states.filter((s) => s.tenantSeq > 0).map((s) => [s.tenantId, s]));
  return {
    first: states.filter((s) => s.tenantSeq === 0),
    after(e) {
      const s = e.tenantId === null ? undefined : waiting.get(e.tenantId);
      if (!s || s.tenantSeq !== e.tenantSeq) return undefined;
      waiting.delete(s.tenantId);
      return s;
    },
  };
}
