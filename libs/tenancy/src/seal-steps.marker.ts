import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AuditRecorder } from '#audit';
import type { PrismaTx } from '#persistence';
import { SYSTEM_ACTOR } from './principal.js';
import { SEAL_STEPS_SIGNED } from './seal-steps.record.js';
import { TenantScopeService } from './tenant-scope.service.js';

/** Arbitrary key of the lock that keeps two instances from marking at once. */
const MARK_LOCK = 0x636c7373;

/**
 * Offline verification fails an unsigned seal step only from the point where the tenant's chain
 * records that seal steps need signatures (`signedSealSteps`, docs/security.md). Tenants created
 * or raised since carry it in that event; at boot, every tenant that requires signed approvals
 * and whose latest setting event lacks it gets one `tenant.signed_approvals_changed` event saying
 * so, in its own chain (seal steps recorded before it stay judged as they were: unsigned, not failed).
 */
@Injectable()
export class SealStepsMarker implements OnApplicationBootstrap {
  private readonly logger = new Logger('audit');

  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const marked = await this.mark();
    if (marked) this.logger.log(`recorded that seal steps need signatures in the chains of ${marked} tenants`);
  }

  async mark(): Promise<number> {
    return this.scopes.runMaintenance(async (tx, enter) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${MARK_LOCK})`;
      const candidates = await this.unmarked(tx);
      let marked = 0;
      for (const id of candidates) {
        await enter(id);
        // Locked as the setting's route locks it, then read again: a change of the setting committed
        // meanwhile (a lowering by another instance) is seen, so the record never follows a lowering.
        await tx.$queryRaw`SELECT id FROM tenants WHERE id = ${id}::uuid FOR NO KEY UPDATE`;
        if (!(await this.unmarked(tx, id)).length) continue;
        marked++;
        await this.audit.record(tx, {
          actor: SYSTEM_ACTOR,
          action: 'tenant.signed_approvals_changed',
          tenantId: id,
          before: { signedApprovals: true },
          after: { id, signedApprovals: true, ...SEAL_STEPS_SIGNED },
          reason: 'seal approvals, lifts and break-glass need signatures here: recorded for offline verification',
          at: new Date(),
        });
      }
      return marked;
    });
  }

  /**
   * Tenants (or `only`) that require signed approvals and whose latest setting event lacks the record.
   * Runs at every start: the setting events are found through `audit_events_sparse_idx`, not by walking each chain.
   */
  private async unmarked(tx: PrismaTx, only?: string): Promise<string[]> {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT t.id::text AS id FROM tenants t
       WHERE (${only ?? null}::uuid IS NULL OR t.id = ${only ?? null}::uuid) AND t.signed_approvals AND NOT coalesce((
         SELECT (e.after->>'signedSealSteps')::boolean FROM audit_events e
          WHERE e.tenant_id = t.id AND e.action IN ('tenant.created', 'tenant.signed_approvals_changed')
          ORDER BY e.tenant_seq DESC LIMIT 1), false)
       ORDER BY t.id`;
    return rows.map((r) => r.id);
  }
}
