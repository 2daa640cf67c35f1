import { ForbiddenException } from '@nestjs/common';
import type { PrismaTx } from '#persistence';

/*
 * Who acts for the client: a client admin of the tenant whose lineage starts with a client admin of
 * that same tenant. A client admin made by an operator (POST /v1/principals before the client joined,
 * or an invitation shown to its inviter) is in that operator's lineage: its login, not the client's
 * person. A lineage starts with the principal whose id it carries (inside a tenant's scope, an
 * operator's row is not even visible, so such a client admin never qualifies there).
 */

/** The ids among `ids` of client admins of `tenantId` who act for the client. */
export async function clientPeople(tx: PrismaTx, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Set();
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT p.id::text AS id FROM principals p JOIN principals root ON root.id::text = p.lineage_id
     WHERE p.id::text = ANY(${unique}::text[]) AND p.tenant_id = ${tenantId}::uuid AND p.role = 'client_admin'
       AND root.tenant_id = ${tenantId}::uuid AND root.role = 'client_admin'`;
  return new Set(rows.map((r) => r.id));
}

/**
 * Whether the tenant already has a live client admin who acts for the client: from then on, its people
 * (and whether it requires signed approvals) change only with its consent.
 */
export async function hasClientAdmin(tx: PrismaTx, tenantId: string): Promise<boolean> {
  const live = await tx.principal.findMany({ where: { tenantId, role: 'client_admin', revokedAt: null }, select: { id: true } });
  const ids = live.map((p) => p.id);
  return (await clientPeople(tx, tenantId, ids)).size > 0;
}

/** Whether `principalId` is a client admin of the tenant who acts for the client. */
export async function actsForClient(tx: PrismaTx, principalId: string, tenantId: string): Promise<boolean> {
  return (await clientPeople(tx, tenantId, [principalId])).has(principalId);
}

/** The refusal of a consent given by a client admin who does not act for the client (403, rule client_person). */
export function notClientPerson(): ForbiddenException {
  return new ForbiddenException({
    message: "a client admin in an operator's lineage does not consent for the client",
    details: [{ pointer: '/', rule: 'client_person', message: "the approver's lineage does not start with a client admin of the tenant" }],
  });
}

/**
 * needsClientConsent for `actor` on the tenant, judged by person: a client admin in an operator's lineage acts as
 * that operator would, so once the client has a person of its own, it needs that person's consent.
 */
export async function clientConsentNeeded(tx: PrismaTx, actor: { id: string; role: string }, tenantId: string): Promise<boolean> {
  if (!(await hasClientAdmin(tx, tenantId))) return false;
  return !(actor.role === 'client_admin' && (await actsForClient(tx, actor.id, tenantId)));
}

/** How an approval stands towards the client, as views show it. */
export interface ClientStanding {
  /** A client admin who acts for the client: the approval is the client's consent. */
  forClient: boolean;
  /** For a client admin who does not: the person whose lineage it is in (who made it). */
  madeBy: { id: string; name: string } | null;
}

/**
 * The client standing of each of `ids` in `tenantId` (read once for a view). The person who made a
 * client admin is read beyond the tenant's scope (`cloison_lineage_holders`): usually an operator;
 * in a scope across tenants, where principals are visible, as it is.
 */
export async function clientStandings(
  tx: PrismaTx,
  tenantId: string,
  ids: readonly string[],
): Promise<(principal: { id: string; role: string }) => ClientStanding> {
  const unique = [...new Set(ids)];
  const client = await clientPeople(tx, tenantId, unique);
  const rows = unique.length
    ? // In a tenant's scope the function reads the holders (operators are invisible there); across
      // tenants (an operator's inbox) the principals are visible as they are.
      await tx.$queryRaw<{ id: string; holder_id: string; holder_name: string }[]>`
        SELECT * FROM cloison_lineage_holders(${unique}::text[])
        UNION SELECT p.id::text, root.id::text, root.name FROM principals p JOIN principals root ON root.id::text = p.lineage_id
         WHERE p.id::text = ANY(${unique}::text[])`
    : [];
  const holders = new Map(rows.filter((r) => r.holder_id !== r.id).map((r) => [r.id, { id: r.holder_id, name: r.holder_name }]));
  return (p) => {
    const forClient = client.has(p.id);
    return { forClient, madeBy: p.role === 'client_admin' && !forClient ? (holders.get(p.id) ?? null) : null };
  };
}
