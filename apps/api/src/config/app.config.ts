import { resolve } from 'node:path';
import { DEFAULT_APP_ROLE } from '../../../../libs/persistence/src/index.js';

export interface CloisonConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  migrationUrl?: string;
  /** Embedded database and keys; undefined keeps the embedded database in memory. */
  dataDir?: string;
  appRole: string;
  poolSize: number;
  bootstrapToken?: string;
  catalogDir: string;
  migrationsDir: string;
  logLevel: string;
  bodyLimit: number;
  /** When a high/critical option's default changes under tenants: pin them, or refuse to boot. */
  defaultChanges: 'pin' | 'refuse';
  /** Ed25519 PKCS#8 key (PEM or base64 DER) signing audit checkpoints; unset = kept in dataDir. */
  auditSigningKey?: string;
  auditCheckpointEvery: number;
  auditCheckpointSeconds: number;
  /** Web console: hand-written assets and the compiled scripts, served under /console/. */
  console: { assetsDir: string; scriptsDir: string };
  /** Requests per client (bearer token, else address) and window; 0 turns the limit off. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** How long a request waits for a database connection before failing with 503. */
  dbConnectTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return n;
}

const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);

function defaultChanges(raw: string | undefined): 'pin' | 'refuse' {
  const v = nonEmpty(raw) ?? 'pin';
  if (v !== 'pin' && v !== 'refuse') throw new ConfigError(`CLOISON_DEFAULT_CHANGES must be "pin" or "refuse" (got "${v}")`);
  return v;
}

/** Reads the environment once at boot; every variable is listed in the README. */
export function loadConfig(env: Env = process.env, root = process.cwd()): CloisonConfig {
  const databaseUrl = nonEmpty(env.DATABASE_URL);
  const migrationUrl = nonEmpty(env.DATABASE_MIGRATION_URL);
  if (migrationUrl && !databaseUrl) {
    throw new ConfigError('DATABASE_MIGRATION_URL requires DATABASE_URL (the restricted role the app works as)');
  }
  const bootstrapToken = nonEmpty(env.CLOISON_BOOTSTRAP_TOKEN);
  if (bootstrapToken !== undefined && (bootstrapToken.length < 16 || !/^[\x21-\x7e]+$/.test(bootstrapToken))) {
    throw new ConfigError('CLOISON_BOOTSTRAP_TOKEN must be at least 16 printable characters without spaces');
  }
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    databaseUrl,
    migrationUrl,
    dataDir: resolve(root, nonEmpty(env.CLOISON_DATA_DIR) ?? 'data'),
    appRole: nonEmpty(env.CLOISON_DB_ROLE) ?? DEFAULT_APP_ROLE,
    poolSize: integer(env, 'CLOISON_DB_POOL_SIZE', 10, 1, 200),
    bootstrapToken,
    catalogDir: resolve(root, nonEmpty(env.CLOISON_CATALOG_DIR) ?? 'catalog'),
    migrationsDir: resolve(root, 'prisma/migrations'),
    logLevel: nonEmpty(env.LOG_LEVEL) ?? 'info',
    bodyLimit: integer(env, 'CLOISON_BODY_LIMIT', 256 * 1024, 1024, 16 * 1024 * 1024),
    defaultChanges: defaultChanges(env.CLOISON_DEFAULT_CHANGES),
    auditSigningKey: nonEmpty(env.CLOISON_AUDIT_SIGNING_KEY),
    auditCheckpointEvery: integer(env, 'CLOISON_AUDIT_CHECKPOINT_EVERY', 1000, 1, 1_000_000),
    auditCheckpointSeconds: integer(env, 'CLOISON_AUDIT_CHECKPOINT_SECONDS', 10, 1, 86_400),
    console: { assetsDir: resolve(root, 'apps/console/public'), scriptsDir: resolve(root, 'dist/console') },
    rateLimitMax: integer(env, 'CLOISON_RATE_LIMIT_MAX', 1200, 0, 1_000_000),
    rateLimitWindowMs: integer(env, 'CLOISON_RATE_LIMIT_WINDOW_MS', 60_000, 1000, 3_600_000),
    dbConnectTimeoutMs: integer(env, 'CLOISON_DB_CONNECT_TIMEOUT_MS', 5000, 100, 60_000),
  };
}
