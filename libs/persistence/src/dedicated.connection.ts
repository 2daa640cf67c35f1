import pg from 'pg';
import type { Database } from './database.connector.js';

/** A database session of the service's own, as other capabilities see it (LISTEN, owner maintenance). */
export type DatabaseClient = pg.Client;

/**
 * A connection outside the pool with the pool's settings (same URL and role), not yet connected:
 * for LISTEN, which holds its session for as long as it listens.
 */
export function dedicatedConnection(database: Pick<Database, 'pool'>): DatabaseClient {
  return new pg.Client(database.pool.options);
}
