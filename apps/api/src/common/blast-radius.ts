import { RuleConflict } from '../../../../libs/change-control/src/index.js';
import type { TenantRef } from '../../../../libs/tenancy/src/index.js';

/** A body that names a tenant must name the one in the path: a write never reaches elsewhere. */
export function assertSameTenant(pathTenant: TenantRef, bodyTenant: string | undefined): void {
  if (bodyTenant !== undefined && bodyTenant !== pathTenant.slug) {
    throw new RuleConflict(
      `the body names tenant "${bodyTenant}" but the path names "${pathTenant.slug}"`,
      'tenant_mismatch',
      '/tenant',
    );
  }
}
