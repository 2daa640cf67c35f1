import { randomUUID } from 'node:crypto';
import { AuditRecorder, auditPlaceholders } from '#audit';
import type { DatabaseClient } from '#persistence';
import type { Actor } from '#tenancy';
import { generateToken, hashToken } from './token.js';

export interface RecoveredOperator {
  id: string;
  name: string;
  createdAt: string;
  /** Printed once by the caller, never stored: only its hash is. */
  token: string;
}

/**
 * Creates a new operator when every operator token is lost, with an `operator.recovered` event
 * appended to the global chain by the same SQL function the service uses, in one transaction:
 * the recovery is as visible in the log as any change. Runs on a direct connection as the
 * database owner (the command line), since nobody can authenticate to the service any more.
 */
export async function recoverOperator(c: DatabaseClient, name: string, reason: string, actor: Actor): Promise<RecoveredOperator> {
  const at = new Date();
  const token = generateToken();
  const id = randomUUID();
  // Whoever runs recovery holds the new token alone: a person of its own, created by the command line.
  const view = { id, name, role: 'operator', tenant: null, createdAt: at.toISOString(), lineageId: id, createdById: actor.id };
  // No witness: a checkpoint covers this event once the service writes and signs after it.
  const event = new AuditRecorder().prepare({ actor, action: 'operator.recovered', tenantId: null, after: view, reason, at });
  await c.query('BEGIN');
  try {
    await c.query(`SELECT set_config('app.all_tenants', 'on', true)`);
    await c.query(
      'INSERT INTO principals (id, name, role, tenant_id, token_hash, created_at, created_by_id, lineage_id) VALUES ($1, $2, $3, NULL, $4, $5, $6, $7)',
      [view.id, name, 'operator', hashToken(token), at, actor.id, view.lineageId],
    );
    await c.query(`SELECT * FROM cloison_audit_append(${auditPlaceholders(0)})`, event.args);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return { id: view.id, name, createdAt: view.createdAt, token };
}
