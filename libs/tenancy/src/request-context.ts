import type { AuthenticatedPrincipal } from './principal.js';

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
