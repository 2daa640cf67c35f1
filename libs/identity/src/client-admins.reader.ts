import type { PrismaTx } from '#persistence';

/**
 * Whether the tenant already has a client admin who acts for the client: from then on, its people
 * (and whether it requires signed approvals) change only with its consent. A client admin made by
 * an operator (POST /v1/principals before the client joined, or an invitation shown to its inviter)
 * is in that operator's lineage: its login, not the client's person, so it does not count here.
 * A lineage starts with the principal whose id it carries; the client's own start with one of the
 * tenant's client admins (inside a tenant's scope, an operator's row is not even visible).
 */
export async function hasClientAdmin(tx: PrismaTx, tenantId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM principals p JOIN principals root ON root.id::text = p.lineage_id
     WHERE p.tenant_id = ${tenantId}::uuid AND p.role = 'client_admin' AND p.revoked_at IS NULL
       AND root.tenant_id = ${tenantId}::uuid AND root.role = 'client_admin'`;
  return (rows[0]?.n ?? 0) > 0;
}

/** Whether `principalId` is a client admin of the tenant whose lineage is the client's own (see hasClientAdmin). */
export async function actsForClient(tx: PrismaTx, principalId: string, tenantId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM principals p JOIN principals root ON root.id::text = p.lineage_id
     WHERE p.id = ${principalId}::uuid AND p.tenant_id = ${tenantId}::uuid AND p.role = 'client_admin'
       AND root.tenant_id = ${tenantId}::uuid AND root.role = 'client_admin'`;
  return (rows[0]?.n ?? 0) > 0;
}

/**
 * needsClientConsent for `actor` on the tenant, judged by person: a client admin in an operator's lineage acts as
 * that operator would, so once the client has a person of its own, it needs that person's consent.
 */
export async function clientConsentNeeded(tx: PrismaTx, actor: { id: string; role: string }, tenantId: string): Promise<boolean> {
  if (!(await hasClientAdmin(tx, tenantId))) return false;
  return !(actor.role === 'client_admin' && (await actsForClient(tx, actor.id, tenantId)));
}
