import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { migrateDatabase } from '#persistence';
import { DEFAULT_APP_ROLE } from '#persistence';

/**
 * Test databases start from one migrated copy per run instead of replaying every migration
 * for each test file. The migration applier itself stays covered by the tests that ask for an
 * empty database (`freshDatabase`): boot, `cloison migrate`, a replica stand-in.
 */

const MIGRATIONS_DIR = resolve(process.cwd(), 'prisma/migrations');
const TEMPLATE_PREFIX = 'cloison_template_';
/** Set by the jest global set-up; workers inherit it. */
const PGLITE_TEMPLATE_ENV = 'CLOISON_TEST_PGLITE_TEMPLATE';
// Templates of other migration sets are dropped once this old: another checkout's run may still use a recent one.
const STALE_TEMPLATE_MS = 24 * 3600 * 1000;

/** Hash of every migration file (names and contents): any edit gives another template. */
export function migrationsHash(dir = MIGRATIONS_DIR): string {
  const h = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'migration.sql');
    if (!existsSync(file)) continue;
    h.update(name).update('\0').update(readFileSync(file)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

export function templateName(): string {
  return `${TEMPLATE_PREFIX}${migrationsHash()}`;
}

function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(base: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const known = new Set<string>();

/**
 * Makes sure the migrated template for the current migrations exists on the server at `base`.
 * Built under another name and renamed when complete, so a concurrent run never copies a
 * half-migrated template; afterwards nobody may connect to it (CREATE DATABASE ... TEMPLATE
 * refuses a source with open connections).
 */
export async function ensurePostgresTemplate(base: string): Promise<string> {
  const name = templateName();
  if (known.has(`${base} ${name}`)) return name;
  const exists = await withAdmin(base, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
  if (exists) {
    known.add(`${base} ${name}`);
    return name;
  }
  const building = `cloison_tbuild_${randomBytes(6).toString('hex')}`;
  await withAdmin(base, (c) => c.query(`CREATE DATABASE ${building}`));
  try {
    await migrateDatabase(
      { databaseUrl: databaseUrl(base, building), appRole: DEFAULT_APP_ROLE, migrationsDir: MIGRATIONS_DIR, poolSize: 1 },
      { apply: true },
    );
    await withAdmin(base, async (c) => {
      await c.query(`ALTER DATABASE ${building} WITH ALLOW_CONNECTIONS false`);
      await c.query(`COMMENT ON DATABASE ${building} IS '${Date.now()}'`);
      try {
        await c.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
      } catch (err) {
        // 42P04: a concurrent run finished the same template first; use theirs.
        if ((err as { code?: string }).code !== '42P04') throw err;
        await c.query(`DROP DATABASE ${building}`);
      }
    });
  } catch (err) {
    await withAdmin(base, (c) => c.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`)).catch(() => undefined);
    throw err;
  }
  await dropStaleTemplates(base, name);
  known.add(`${base} ${name}`);
  return name;
}

async function dropStaleTemplates(base: string, current: string): Promise<void> {
  await withAdmin(base, async (c) => {
    const { rows } = await c.query<{ datname: string; built: string | null }>(
      `SELECT datname, shobj_description(oid, 'pg_database') AS built FROM pg_database WHERE datname LIKE $1 AND datname <> $2`,
      [`${TEMPLATE_PREFIX}%`, current],
    );
    for (const r of rows) {
      if (Date.now() - Number(r.built ?? 0) < STALE_TEMPLATE_MS) continue;
      await c.query(`DROP DATABASE IF EXISTS ${r.datname}`).catch(() => undefined);
    }
  });
}

/** A new database on the server at `base`, copied from the migrated template. */
export async function copyPostgresTemplate(base: string, name: string): Promise<void> {
  const template = await ensurePostgresTemplate(base);
  await withAdmin(base, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
}

/** RAM-backed where there is one: the embedded database writes through to these files. */
function scratchRoot(): string {
  try {
    if (statSync('/dev/shm').isDirectory()) return '/dev/shm';
  } catch {
    // no /dev/shm here
  }
  return tmpdir();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/** Folders left by runs killed before their tear-down (~40 MB each, in RAM under /dev/shm). */
function removeOrphans(): void {
  const root = scratchRoot();
  for (const name of readdirSync(root)) {
    const owner = /^cloison-(?:template|test)-(\d+)-/.exec(name)?.[1];
    if (owner && !alive(Number(owner))) rmSync(join(root, name), { recursive: true, force: true });
  }
}

/**
 * Builds a migrated embedded data folder for this run and publishes it to this process's later
 * test files. `own`: this process removes it at exit (the global set-up's folder is removed by
 * the global tear-down instead).
 */
export async function buildPgliteTemplate(own = true): Promise<string> {
  const existing = process.env[PGLITE_TEMPLATE_ENV];
  if (existing && existsSync(existing)) return existing;
  removeOrphans();
  // The global set-up builds it in a child process: the folder belongs to jest's own process.
  const dir = join(mkdtempSync(join(scratchRoot(), `cloison-template-${own ? process.pid : process.ppid}-`)), 'data');
  await migrateDatabase({ dataDir: dir, appRole: DEFAULT_APP_ROLE, migrationsDir: MIGRATIONS_DIR, poolSize: 1 }, { apply: true });
  process.env[PGLITE_TEMPLATE_ENV] = dir;
  if (own) process.once('exit', removePgliteTemplate);
  return dir;
}

export function removePgliteTemplate(): void {
  const dir = process.env[PGLITE_TEMPLATE_ENV];
  if (!dir) return;
  rmSync(resolve(dir, '..'), { recursive: true, force: true });
  delete process.env[PGLITE_TEMPLATE_ENV];
}

/** A copy of the migrated embedded data folder, for one test app; removed by `drop`. */
export async function copyPgliteTemplate(): Promise<{ dataDir: string; drop(): void }> {
  // Without the global set-up (a file run on its own with another config) each process builds its own.
  const template = await buildPgliteTemplate(true);
  const root = mkdtempSync(join(scratchRoot(), `cloison-test-${process.pid}-`));
  const dataDir = join(root, 'data');
  cpSync(template, dataDir, { recursive: true });
  return { dataDir, drop: () => rmSync(root, { recursive: true, force: true }) };
}
