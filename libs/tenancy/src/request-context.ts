import type { Actor, AuthenticatedPrincipal } from './principal.js';

export interface TenantRef {
  id: string;
  slug: string;
  name: string;
  riskLevel: number;
}

/** What the policy guard established about a request before any handler runs. */
export interface RequestContext {
  requestId: string;
  principal: AuthenticatedPrincipal;
  /** The tenant the path names, resolved as visible to the principal (404 otherwise). */
  tenant?: TenantRef;
}

/** The tenant a tenant-scoped route resolved; a route without one is a wiring error, not bad input. */
export function pathTenant(ctx: RequestContext): TenantRef {
  if (!ctx.tenant) throw new Error('this route is tenant-scoped but no tenant was resolved');
  return ctx.tenant;
}

/** Who is acting, as audit events and stored rows record it. */
export function actorOf(ctx: RequestContext): Actor {
  return { id: ctx.principal.id, name: ctx.principal.name, role: ctx.principal.role };
}
