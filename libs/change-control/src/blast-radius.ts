import { RuleConflict } from './change-errors.js';
import type { TenantRef } from '#tenancy';

/** A body that names a tenant must name the one in the path: a write never reaches elsewhere. */
export function assertSameTenant(pathTenant: TenantRef, bodyTenant: string | undefined): void {
  if (bodyTenant !== undefined && bodyTenant !== pathTenant.slug) {
    throw new RuleConflict(`the body names tenant "${bodyTenant}" but the path names "${pathTenant.slug}"`, 'tenant_mismatch', '/tenant');
  }
}
