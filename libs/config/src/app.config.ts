import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { OidcSettings } from '#identity';
import { createAjv } from '#registry';
import { ENV_SCHEMA, type EnvName } from './config.schema.js';

export type OidcConfig = OidcSettings;

export interface CloisonConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  migrationUrl?: string;
  /** Read replica for GET routes; undefined = reads use databaseUrl. */
  replicaUrl?: string;
  /** Embedded database; undefined keeps it in memory (and the signing key in the process). */
  dataDir?: string;
  /**
   * The generated signing key's folder, beside the data folder, never in it: whoever reads the
   * database's files must not hold what signs its history (docs/audit.md, "The signing key").
   */
  secretsDir: string;
  appRole: string;
  poolSize: number;
  bootstrapToken?: string;
  /** Token of the second initial operator (each initial operator is its own person). */
  bootstrapToken2?: string;
  /** Invitation mail: SMTP when `smtpUrl` is set, else files in `outboxDir`, else shown to the inviter. */
  mail: { smtpUrl?: string; from: string; outboxDir?: string };
  catalogDir: string;
  migrationsDir: string;
  logLevel: string;
  bodyLimit: number;
  /** Bearer token that Prometheus sends to read /metrics; unset = /metrics is off. */
  metricsToken?: string;
  shutdownGraceMs: number;
  /** When a high/critical option's default changes under tenants: pin them, or refuse to boot. */
  defaultChanges: 'pin' | 'refuse';
  /** Ed25519 PKCS#8 key (PEM or base64 DER) signing audit checkpoints; unset = kept in secretsDir. */
  auditSigningKey?: string;
  /** The published key this instance rotates away from (docs/audit.md); unset = no rotation. */
  auditPreviousSigningKey?: string;
  auditCheckpointEvery: number;
  auditCheckpointSeconds: number;
  /** Staff sign-in with JWTs from an OpenID Connect issuer; undefined = opaque tokens only. */
  oidc?: OidcConfig;
  /** Console sign-in through the OpenID provider of `oidc` (authorization code + PKCE); undefined = tokens only. */
  consoleSignIn?: { clientId: string; clientSecret: string; redirectUrl: string };
  /** Console sessions end when unused for `idleSeconds`, and `maxSeconds` after sign-in regardless. */
  consoleSession: { idleSeconds: number; maxSeconds: number };
  /** Passkeys: relying party id and the origins their ceremonies may come from. */
  webauthn: { rpId: string; origins: string[] };
  /** Tenants created at this risk level or above refuse unsigned approvals of critical options. */
  signedApprovalsFromRisk: number;
  /** Web console: hand-written assets and the compiled scripts, served under /console/. */
  console: { assetsDir: string; scriptsDir: string };
  /** Requests per client (bearer token, else address) and window; 0 turns the limit off. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Failed authentications per client address and window before 429; 0 = off. */
  authFailureMax: number;
  /** OFREP evaluations per token and window on this instance; 0 = off. */
  ofrepRateLimitMax: number;
  /** How long a request waits for a database connection before failing with 503. */
  dbConnectTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

let validator: ValidateFunction | undefined;

function describe(e: ErrorObject, raw: Env): string {
  const name = e.instancePath.slice(1);
  if (e.keyword === 'dependentRequired') {
    const p = e.params as { property: string; missingProperty: string };
    return `${p.property} requires ${p.missingProperty} to be set too`;
  }
  const secret = /TOKEN|URL|KEY/.test(name);
  const got = raw[name] === undefined ? '' : secret ? ' (value not shown)' : ` (got "${raw[name]}")`;
  return `${name} ${e.message ?? e.keyword}${got}`;
}

/** Validates the environment against ENV_SCHEMA; throws one ConfigError naming every bad variable. */
export function validateEnv(env: Env): Record<EnvName, unknown> {
  validator ??= createAjv({ coerceTypes: true, useDefaults: true, strictRequired: false }).compile(ENV_SCHEMA);
  const raw: Env = {};
  // Only the variables the schema knows; an empty value counts as unset.
  for (const name of Object.keys(ENV_SCHEMA.properties)) {
    if (env[name] !== undefined && env[name] !== '') raw[name] = env[name];
  }
  const values: Record<string, unknown> = { ...raw };
  if (!validator(values)) throw new ConfigError((validator.errors ?? []).map((e) => describe(e, raw)));
  return values as Record<EnvName, unknown>;
}

/** `path` with its symbolic links resolved as far as it exists (what does not exist yet is made below that). */
function realish(path: string): string {
  let head = path;
  const rest: string[] = [];
  while (!existsSync(head) && dirname(head) !== head) {
    rest.unshift(basename(head));
    head = dirname(head);
  }
  return join(realpathSync(head), ...rest);
}

/** Whether `dir` is `parent` or below it (both as realish gives them). */
function within(dir: string, parent: string): boolean {
  const rel = relative(parent, dir);
  return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}

/** Reads the environment once at boot; every variable is listed in docs/configuration.md. */
export function loadConfig(env: Env = process.env, root = process.cwd()): CloisonConfig {
  const v = validateEnv(env);
  const str = (n: EnvName) => v[n] as string | undefined;
  const int = (n: EnvName) => v[n] as number;
  const issuer = str('OIDC_ISSUER');
  // An ID token issued to the console must never pass as a bearer token for the API.
  if (str('OIDC_CLIENT_ID') !== undefined && str('OIDC_CLIENT_ID') === str('OIDC_AUDIENCE')) {
    throw new ConfigError(['OIDC_CLIENT_ID must differ from OIDC_AUDIENCE (ID tokens of the console are not API tokens)']);
  }
  const dataDir = resolve(root, str('CLOISON_DATA_DIR') as string);
  const secretsDir = resolve(root, str('CLOISON_SECRETS_DIR') ?? `${dataDir}-secrets`);
  const outboxDir = resolve(root, str('CLOISON_OUTBOX_DIR') ?? `${dataDir}-outbox`);
  // An invitation code redeemed makes the client's person, and the key signs the audit history:
  // neither may rest among the database's files, which backups and their readers hold.
  const [data, secrets, outbox] = [dataDir, secretsDir, outboxDir].map(realish) as [string, string, string];
  const misplaced = [
    ...(within(outbox, data) ? ['CLOISON_OUTBOX_DIR must be outside CLOISON_DATA_DIR (its codes make client admins)'] : []),
    ...(within(secrets, data) ? ['CLOISON_SECRETS_DIR must be outside CLOISON_DATA_DIR (it holds the audit signing key)'] : []),
    ...(secrets === outbox ? ['CLOISON_SECRETS_DIR and CLOISON_OUTBOX_DIR must be different folders'] : []),
  ];
  if (misplaced.length) throw new ConfigError(misplaced);
  return {
    port: int('PORT'),
    host: str('HOST') as string,
    databaseUrl: str('DATABASE_URL'),
    migrationUrl: str('DATABASE_MIGRATION_URL'),
    replicaUrl: str('DATABASE_REPLICA_URL'),
    dataDir,
    secretsDir,
    appRole: str('CLOISON_DB_ROLE') as string,
    poolSize: int('CLOISON_DB_POOL_SIZE'),
    bootstrapToken: str('CLOISON_BOOTSTRAP_TOKEN'),
    bootstrapToken2: str('CLOISON_BOOTSTRAP_TOKEN_2'),
    mail: {
      smtpUrl: str('CLOISON_SMTP_URL'),
      from: str('CLOISON_MAIL_FROM') as string,
      outboxDir,
    },
    catalogDir: resolve(root, str('CLOISON_CATALOG_DIR') as string),
    migrationsDir: resolve(root, 'prisma/migrations'),
    logLevel: str('LOG_LEVEL') as string,
    bodyLimit: int('CLOISON_BODY_LIMIT'),
    metricsToken: str('CLOISON_METRICS_TOKEN'),
    shutdownGraceMs: int('CLOISON_SHUTDOWN_GRACE_MS'),
    defaultChanges: str('CLOISON_DEFAULT_CHANGES') as 'pin' | 'refuse',
    auditSigningKey: str('CLOISON_AUDIT_SIGNING_KEY'),
    auditPreviousSigningKey: str('CLOISON_AUDIT_PREVIOUS_SIGNING_KEY'),
    auditCheckpointEvery: int('CLOISON_AUDIT_CHECKPOINT_EVERY'),
    auditCheckpointSeconds: int('CLOISON_AUDIT_CHECKPOINT_SECONDS'),
    oidc: issuer
      ? {
          issuer,
          audience: str('OIDC_AUDIENCE') as string,
          jwksUrl: str('OIDC_JWKS_URL'),
          roleClaim: str('OIDC_ROLE_CLAIM') as string,
          tenantClaim: str('OIDC_TENANT_CLAIM') as string,
          algorithms: (str('OIDC_ALGORITHMS') as string).split(','),
          clockToleranceSeconds: int('OIDC_CLOCK_TOLERANCE_SECONDS'),
          maxTokenAgeSeconds: int('OIDC_MAX_TOKEN_AGE_SECONDS'),
          jwksCacheSeconds: int('OIDC_JWKS_CACHE_SECONDS'),
        }
      : undefined,
    consoleSignIn: str('OIDC_CLIENT_ID')
      ? {
          clientId: str('OIDC_CLIENT_ID') as string,
          clientSecret: str('OIDC_CLIENT_SECRET') as string,
          redirectUrl: str('OIDC_REDIRECT_URL') as string,
        }
      : undefined,
    consoleSession: { idleSeconds: int('CLOISON_CONSOLE_IDLE_SECONDS'), maxSeconds: int('CLOISON_CONSOLE_MAX_SECONDS') },
    webauthn: {
      rpId: str('CLOISON_WEBAUTHN_RP_ID') as string,
      // The console as `npm start` serves it, whatever its port.
      origins: (str('CLOISON_WEBAUTHN_ORIGINS') ?? `http://localhost:${int('PORT')}`).split(','),
    },
    signedApprovalsFromRisk: int('CLOISON_SIGNED_APPROVALS_FROM_RISK'),
    console: { assetsDir: resolve(root, 'apps/console/public'), scriptsDir: resolve(root, 'dist/console') },
    rateLimitMax: int('CLOISON_RATE_LIMIT_MAX'),
    rateLimitWindowMs: int('CLOISON_RATE_LIMIT_WINDOW_MS'),
    authFailureMax: int('CLOISON_AUTH_FAILURE_MAX'),
    ofrepRateLimitMax: int('CLOISON_OFREP_RATE_LIMIT_MAX'),
    dbConnectTimeoutMs: int('CLOISON_DB_CONNECT_TIMEOUT_MS'),
  };
}
