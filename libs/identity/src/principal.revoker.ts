import { Injectable, Inject } from '@nestjs/common';
import { AuditRecorder } from '#audit';
import { DATE_TIME, STRING, UUID, nullable, objectOf } from '#registry';
import type { PrismaTx } from '#persistence';
import type { Actor } from '#tenancy';

export const REVOKED_PRINCIPAL_SCHEMA = objectOf({ id: UUID, name: STRING, role: STRING, tenant: nullable(STRING), revokedAt: DATE_TIME });

export interface RevokedPrincipal {
  id: string;
  name: string;
  role: string;
  tenant: string | null;
  revokedAt: string;
}

/**
 * Revokes a principal (its token stops working at once) and records it in the caller's
 * transaction. Revoking twice changes nothing and records nothing the second time.
 */
@Injectable()
export class PrincipalRevoker {
  constructor(@Inject(AuditRecorder) private readonly audit: AuditRecorder) {}

  async revoke(
    tx: PrismaTx,
    target: { id: string; tenant: { id: string; slug: string } | null },
    actor: Actor,
    requestId?: string,
  ): Promise<RevokedPrincipal | null> {
    const now = new Date();
    const rows = await tx.$queryRaw<{ id: string; name: string; role: string; revoked_at: Date; was: Date | null }[]>`
      UPDATE principals p SET revoked_at = coalesce(p.revoked_at, ${now})
        FROM (SELECT id, revoked_at FROM principals WHERE id = ${target.id}::uuid FOR UPDATE) old
       WHERE p.id = old.id
      RETURNING p.id, p.name, p.role, p.revoked_at, old.revoked_at AS was`;
    const row = rows[0];
    if (!row) return null;
    const view = {
      id: row.id,
      name: row.name,
      role: row.role,
      tenant: target.tenant?.slug ?? null,
      revokedAt: row.revoked_at.toISOString(),
    };
    if (row.was === null) {
      await this.audit.record(tx, {
        actor,
        action: 'principal.revoked',
        tenantId: target.tenant?.id ?? null,
        before: { id: row.id, name: row.name, role: row.role, tenant: view.tenant, revokedAt: null },
        after: view,
        requestId,
        at: now,
      });
    }
    return view;
  }
}
