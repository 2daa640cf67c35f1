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
  /** Read replica for read-only work (same roles); unset = reads use the primary. */
  replicaUrl?: string;
  /** Fail a request fast (503) rather than queue it while the database is unreachable. */
  connectTimeoutMs?: number;
}

const POOL_END_TIMEOUT_MS = 5000;

export type DatabaseMode = 'embedded' | 'simple' | 'hardened';

export interface Database {
  mode: DatabaseMode;
  /** The app's connection URL (the embedded server's when embedded). */
  url: string;
  pool: pg.Pool;
  /** The replica's pool when configured, else the primary's. Read-only transactions only. */
  readPool: pg.Pool;
  hasReplica: boolean;
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
/** A pool whose every connection works as a role row-level security applies to (checked). */
async function restrictedPool(
  url: string,
  opts: { max: number; role?: string; readOnly: boolean; connectTimeoutMs: number },
): Promise<{ pool: pg.Pool; role: RoleCheck }> {
  // Simple set-up: every connection switches to the restricted role at startup. The replica
  // pool also refuses writes, even where the "replica" is a writable server.
  const settings = [...(opts.role ? [`-c role=${opts.role}`] : []), ...(opts.readOnly ? ['-c default_transaction_read_only=on'] : [])];
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max,
    // A request waits this long for a connection, then fails (503) instead of hanging.
    connectionTimeoutMillis: opts.connectTimeoutMs,
    ...(settings.length ? { options: settings.join(' ') } : {}),
  });
  pool.on('error', () => undefined); // idle client errors surface on the next query instead
  try {
    const probe = await pool.connect();
    let role: RoleCheck;
    try {
      role = await inspectWorkingRole(probe);
    } finally {
      probe.release();
    }
    assertRestrictedRole(role);
    return { pool, role };
  } catch (err) {
    await pool.end();
    throw err;
  }
}

/**
 * Connects the way the set-up asks for, applies migrations, and returns pools whose every
 * connection works as a role that row-level security applies to (checked, not assumed):
 * the primary's, and the replica's for reads when `replicaUrl` is set (else the same pool).
 */
export async function openDatabase(s: DatabaseSettings): Promise<Database> {
  const embedded = s.databaseUrl ? undefined : await startEmbeddedPostgres(s.dataDir);
  const mode: DatabaseMode = embedded ? 'embedded' : s.migrationUrl ? 'hardened' : 'simple';
  const appUrl = embedded?.url ?? (s.databaseUrl as string);
  const migrationUrl = s.migrationUrl ?? appUrl;
  const opened: pg.Pool[] = [];
  try {
    await withClient(migrationUrl, async (c) => {
      await provisionAndMigrate(c, s, mode);
      // PGlite serves every connection from one session: switching it once covers them all.
      if (embedded) await c.query(`SET ROLE ${quoteRole(s.appRole)}`);
    });
    const role = mode === 'simple' ? quoteRole(s.appRole).slice(1, -1) : undefined;
    // The embedded server runs one transaction at a time; one connection makes waiting explicit.
    const connectTimeoutMs = s.connectTimeoutMs ?? 5_000;
    // The embedded server's single connection is shared by every request: waiting is normal there.
    const primary = await restrictedPool(appUrl, {
      max: embedded ? 1 : s.poolSize,
      role,
      readOnly: false,
      connectTimeoutMs: embedded ? 30_000 : connectTimeoutMs,
    });
    opened.push(primary.pool);
    const replica =
      s.replicaUrl && !embedded
        ? await restrictedPool(s.replicaUrl, { max: s.poolSize, role, readOnly: true, connectTimeoutMs })
        : undefined;
    if (replica) opened.push(replica.pool);
    return {
      mode,
      url: appUrl,
      pool: primary.pool,
      readPool: replica?.pool ?? primary.pool,
      hasReplica: replica !== undefined,
      role: primary.role,
      async close() {
        // Called once no request is in flight: a client still checked out then belongs to a
        // transaction nobody waits for (e.g. one whose start timed out), which ends uncommitted.
        // Wait a bounded time for the pools, then close the server regardless.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all(opened.map((p) => p.end())),
          new Promise((r) => {
            timer = setTimeout(r, POOL_END_TIMEOUT_MS);
            timer.unref();
          }),
        ]);
        clearTimeout(timer);
        await embedded?.close();
      },
    };
  } catch (err) {
    await Promise.all(opened.map((p) => p.end()));
    await embedded?.close();
    throw err;
  }
}
