export { defineAbilityFor, type AppAbility } from './ability.factory.js';
export {
  CheckPolicy,
  CheckPolicyOnObject,
  OWN_TENANT_ROUTE_KEY,
  OwnTenantRoute,
  POLICY_KEY,
  PUBLIC_KEY,
  Public,
  type RoutePolicy,
} from './policy.decorators.js';
export { Caller, PolicyGuard, authorizeObject, type PolicyContext } from './policy.guard.js';
export { ACTIONS, OWN_TENANT, ROLE_RULES, SUBJECTS, type Action, type RoleRule, type SubjectName } from './role-rules.js';
export { AUTH_FAILURE_LIMIT, AuthFailures, TooManyRequests, WindowCounter, type AuthFailureLimit } from './request-limits.js';
