import { existsSync } from 'node:fs';
import pg from 'pg';
import type { DatabaseSettings } from './database.connector.js';
import { startEmbeddedPostgres } from './embedded-postgres.server.js';
import { pendingMigrations } from './migrations.applier.js';

/** Why an owner connection was refused: nothing to work on, or a schema the code does not match. */
export class OwnerConnectionError extends Error {}

/**
 * One connection as the database owner, for maintenance from the command line: the migration
 * URL when set, else DATABASE_URL, else the embedded database in `dataDir` (which must exist:
 * a new one is never created here). The database must be migrated up to this code's schema.
 */
export async function withOwnerConnection<T>(s: DatabaseSettings, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  if (!s.databaseUrl && !(s.dataDir && existsSync(s.dataDir))) {
    throw new OwnerConnectionError(`no embedded database in ${s.dataDir ?? '(memory)'}: set CLOISON_DATA_DIR or DATABASE_URL`);
  }
  const embedded = s.databaseUrl ? undefined : await startEmbeddedPostgres(s.dataDir);
  try {
    const client = new pg.Client({ connectionString: s.migrationUrl ?? embedded?.url ?? s.databaseUrl });
    await client.connect();
    try {
      const pending = await pendingMigrations(client, s.migrationsDir);
      if (pending.length) throw new OwnerConnectionError(`${pending.length} migration(s) pending: run cloison migrate first`);
      return await fn(client);
    } finally {
      await client.end();
    }
  } finally {
    await embedded?.close();
  }
}
