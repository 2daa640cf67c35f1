import pg from 'pg';
import { applyMigrations, pendingMigrations } from './migrations.applier.js';
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

async function provisionAndMigrate(c: pg.Client, s: DatabaseSettings, mode: DatabaseMode): Promise<string[]> {
  await provisionAppRole(c, s.appRole).catch((err: unknown) => {
    // In the hardened set-up a DBA may have created the role and withheld CREATEROLE.
    if (mode !== 'hardened') throw err;
  });
  return applyMigrations(c, s.migrationsDir);
}

/**
 * What `cloison migrate` does: apply pending migrations (or only list them) and disconnect,
 * without opening the application's pool.
 */
export async function migrateDatabase(s: DatabaseSettings, opts: { apply: boolean }): Promise<{ applied: string[]; pending: string[] }> {
  const embedded = s.databaseUrl ? undefined : await startEmbeddedPostgres(s.dataDir);
  const mode: DatabaseMode = embedded ? 'embedded' : s.migrationUrl ? 'hardened' : 'simple';
  try {
    const url = s.migrationUrl ?? embedded?.url ?? (s.databaseUrl as string);
    return await withClient(url, async (c) =>
      opts.apply
        ? { applied: await provisionAndMigrate(c, s, mode), pending: [] }
        : { applied: [], pending: await pendingMigrations(c, s.migrationsDir) },
    );
  } finally {
    await embedded?.close();
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
      await provisionAndMigrate(c, s, mode);
      // PGlite serves every connection from one session: switching it once covers them all.
      if (embedded) await c.query(`SET ROLE ${quoteRole(s.appRole)}`);
    });
    const pool = new pg.Pool({
      connectionString: appUrl,
      // The embedded server runs one transaction at a time; one connection makes waiting explicit.
      max: embedded ? 1 : s.poolSize,
      connectionTimeoutMillis: 5_000,
      // Simple set-up: every connection switches to the restricted role at startup.
      ...(mode === 'simple' ? { options: `-c role=${s.appRole}` } : {}),
    });
    pool.on('error', () => undefined); // idle client errors surface on the next query instead
    const probe = await pool.connect();
    let role: RoleCheck;
    try {
      role = await inspectWorkingRole(probe);
    } finally {
      probe.release();
    }
    assertRestrictedRole(role);
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
