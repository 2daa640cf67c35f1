export const ROLES = ['operator', 'client_admin', 'compliance', 'service'] as const;
export type Role = (typeof ROLES)[number];

/** Roles whose principals work across tenants; all others are bound to exactly one tenant. */
export const SPANNING_ROLES: readonly Role[] = ['operator', 'compliance'];

export function spansTenants(role: Role): boolean {
  return SPANNING_ROLES.includes(role);
}

export interface AuthenticatedPrincipal {
  id: string;
  name: string;
  role: Role;
  /** Set exactly for tenant-bound roles. */
  tenantId: string | null;
  tenantSlug: string | null;
  /** When the bearer token stops working (ms since epoch); absent = never. Checked on cached lookups too. */
  expiresAt?: number;
}

/** Who caused a change, as recorded in the audit log. */
export interface Actor {
  id: string;
  name: string;
  role: Role | 'system';
}

export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'cloison', role: 'system' };
