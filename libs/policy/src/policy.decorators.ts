import { SetMetadata } from '@nestjs/common';
import type { Action, SubjectName } from './role-rules.js';

export const POLICY_KEY = 'cloison:policy';
export const PUBLIC_KEY = 'cloison:public';

export interface RoutePolicy {
  action: Action;
  subject: SubjectName;
  /** Checked by the service against the object the route names, once found (see CheckPolicyOnObject). */
  onObject?: true;
}

/** Declares what a route does; the guard checks it against the caller's abilities. */
export const CheckPolicy = (action: Action, subject: SubjectName) => SetMetadata(POLICY_KEY, { action, subject } satisfies RoutePolicy);

/**
 * Declares a route about one object named by id, with no tenant in its path (a principal). The
 * object's tenant decides, as a path's tenant would: the guard only authenticates, and the
 * service must find the object where the caller can see it (404 otherwise, like an unknown id,
 * never 403) and then call `authorizeObject` (403).
 */
export const CheckPolicyOnObject = (action: Action, subject: SubjectName) =>
  SetMetadata(POLICY_KEY, { action, subject, onObject: true } satisfies RoutePolicy);

/** Declares a route open to anyone; every other route needs a token and a policy. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const OWN_TENANT_ROUTE_KEY = 'cloison:own-tenant-route';

/**
 * Declares a route without `:tenant` in its path that acts on the caller's own tenant: the
 * policy is checked against that tenant, and principals bound to no tenant are refused (403).
 * Such routes are on the hot path: their bearer token may be resolved from the principal cache,
 * which is invalidated when principals or tenants change.
 */
export const OwnTenantRoute = () => SetMetadata(OWN_TENANT_ROUTE_KEY, true);
