import type { PrismaTx } from '#persistence';

/** Whether the tenant already has a client admin: from then on, its people change only with its consent. */
export async function hasClientAdmin(tx: PrismaTx, tenantId: string): Promise<boolean> {
  return (await tx.principal.count({ where: { tenantId, role: 'client_admin', revokedAt: null } })) > 0;
}
