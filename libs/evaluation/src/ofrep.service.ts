import { Inject, Injectable } from '@nestjs/common';
import { SnapshotCache } from './snapshot.cache.js';
import { type TenantSnapshot } from './tenant-snapshot.js';
import type { PolicyContext } from '#policy';
import { OfrepError } from './ofrep.errors.js';
import type { OfrepEvaluationBody } from './ofrep.schemas.js';

/**
 * OFREP evaluation for the caller's own tenant. The tenant comes from the token alone; a
 * context may name it (`context.tenant`, slug or id) as a safeguard against a misconfigured
 * client, and naming any other tenant is refused as INVALID_CONTEXT — the same answer whether
 * that tenant exists or not. `targetingKey` (the voter or user) is accepted but not needed:
 * option values do not vary within a tenant, so TARGETING_KEY_MISSING is never raised.
 */
@Injectable()
export class OfrepService {
  constructor(@Inject(SnapshotCache) private readonly snapshots: SnapshotCache) {}

  snapshot(ctx: PolicyContext, body: OfrepEvaluationBody): TenantSnapshot | Promise<TenantSnapshot> {
    const { tenantId, tenantSlug } = ctx.principal;
    if (!tenantId) throw new Error('OFREP routes are for tenant-bound principals (checked by the policy guard)');
    const named = body.context?.tenant;
    if (named !== undefined && named !== tenantSlug && named.toLowerCase() !== tenantId) {
      throw new OfrepError('INVALID_CONTEXT', 'context.tenant does not name the tenant this token is bound to', 400, [
        { pointer: '/context/tenant', rule: 'tenant', message: "must be the token's own tenant (slug or id) or absent" },
      ]);
    }
    return this.snapshots.get(tenantId);
  }

  /**
   * The single-flag body of `key`; FLAG_NOT_FOUND for a key the catalog does not define; the
   * protocol's evaluation failure (GENERAL) for an option without a value OFREP can carry.
   */
  flagBody(snapshot: TenantSnapshot, key: string): Buffer {
    const body = snapshot.flagBody(key);
    if (body === undefined) throw new OfrepError('FLAG_NOT_FOUND', `flag "${key}" is not defined`);
    const failure = snapshot.failure(key);
    if (failure !== undefined) throw new OfrepError('GENERAL', failure);
    return body;
  }
}
