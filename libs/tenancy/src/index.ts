export { ROLES, SPANNING_ROLES, SYSTEM_ACTOR, spansTenants, type Actor, type AuthenticatedPrincipal, type Role } from './principal.js';
export { actorOf, pathTenant, type RequestContext, type TenantRef } from './request-context.js';
export { TenantDirectory } from './tenant-directory.service.js';
export { TenantCache } from './tenant.cache.js';
export { TenantScopeService, type ScopedReadFunction, type ScopedRow, type TenantScope } from './tenant-scope.service.js';
export { InvalidatedCache } from './invalidated.cache.js';
export { OptionRowsCache, type StoredOptionRow, type TenantOptionRows } from './option-rows.cache.js';
