import pg from 'pg';
import { applyMigrations } from './migrations.applier.js';
import { assertRestrictedRole, inspectWorkingRole, provisionAppRole, quoteRole, type RoleCheck } from './app-role.js';
import { startEmbeddedPostgres } from './embedded-postgres.server.js';

export interface DatabaseSettings {
  /** The app's connection; unset = embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  /** Set = hardened set-up: migrations use this URL, the app uses `databaseUrl` as is. */
  migrationUrl?: string;
  /** Embedded database folder; undefined = in memory (tests). */
  dataDir?: string;
  appRole: string;
  migrationsDir: string;
  poolSize: number;
  /** Fail a request fast (503) rather than queue it while the database is unreachable. */
  connectTimeoutMs?: number;
}

export type DatabaseMode = 'embedded' | 'simple' | 'hardened';

export interface Database {
  mode: DatabaseMode;
  pool: pg.Pool;
  role: RoleCheck;
  close(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Connects the way the set-up asks for, applies migrations, and returns a pool whose every
 * connection works as a role that row-level security applies to (checked, not assumed).
 */
export async function openDatabase(s: DatabaseSettings): Promise<Database> {
  const embedded = s.databaseUrl ? undefined : await startEmbeddedPostgres(s.dataDir);
  const mode: DatabaseMode = embedded ? 'embedded' : s.migrationUrl ? 'hardened' : 'simple';
  const appUrl = embedded?.url ?? (s.databaseUrl as string);
  const migrationUrl = s.migrationUrl ?? appUrl;
  try {
    await withClient(migrationUrl, async (c) => {
      await provisionAppRole(c, s.appRole).catch((err: unknown) => {
        // In the hardened set-up a DBA may have created the role and withheld CREATEROLE.
        if (mode !== 'hardened') throw err;
      });
      await applyMigrations(c, s.migrationsDir);
      // PGlite serves every connection from one session: switching it once covers them all.
      if (embedded) await c.query(`SET ROLE ${quoteRole(s.appRole)}`);
    });
    const pool = new pg.Pool({
      connectionString: appUrl,
      // The embedded server runs one transaction at a time; one connection makes waiting explicit.
      max: embedded ? 1 : s.poolSize,
      // A request waits this long for a connection, then fails (503) instead of hanging; the
      // embedded server's single connection is shared by every request, so waiting is normal there.
      connectionTimeoutMillis: embedded ? 30_000 : (s.connectTimeoutMs ?? 5_000),
      // Simple set-up: every connection switches to the restricted role at startup.
      ...(mode === 'simple' ? { options: `-c role=${s.appRole}` } : {}),
    });
    pool.on('error', () => undefined); // idle client errors surface on the next query instead
    let role: RoleCheck;
    try {
      const probe = await pool.connect();
      try {
        role = await inspectWorkingRole(probe);
      } finally {
        probe.release();
      }
      assertRestrictedRole(role);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return {
      mode,
      pool,
      role,
      async close() {
        await pool.end();
        await embedded?.close();
      },
    };
  } catch (err) {
    await embedded?.close();
    throw err;
  }
}
