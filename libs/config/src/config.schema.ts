import { DEFAULT_APP_ROLE } from '#persistence/app-role';

const POSTGRES_URL = '^postgres(ql)?://';
const SECRET = '^[\\x21-\\x7e]{16,}$';

/**
 * Every environment variable the service reads, with its type, rule and default: the one
 * schema validated at boot (ajv, types coerced from strings). docs/configuration.md
 * lists the same variables; a test keeps the two in step.
 */
export const ENV_SCHEMA = {
  type: 'object',
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000, description: 'HTTP port' },
    HOST: { type: 'string', minLength: 1, default: '127.0.0.1', description: 'interface to listen on (0.0.0.0 in containers)' },
    DATABASE_URL: {
      type: 'string',
      pattern: POSTGRES_URL,
      description: 'PostgreSQL URL the service works with; unset = embedded database under CLOISON_DATA_DIR',
    },
    DATABASE_MIGRATION_URL: {
      type: 'string',
      pattern: POSTGRES_URL,
      description: 'privileged URL for migrations (hardened set-up: DATABASE_URL is then the restricted role itself)',
    },
    DATABASE_REPLICA_URL: {
      type: 'string',
      pattern: POSTGRES_URL,
      description: 'read replica for GET routes (same roles as DATABASE_URL); unset = reads go to DATABASE_URL',
    },
    CLOISON_DATA_DIR: { type: 'string', minLength: 1, default: 'data', description: 'embedded database folder' },
    CLOISON_DB_ROLE: {
      type: 'string',
      pattern: '^[a-z_][a-z0-9_]{0,62}$',
      default: DEFAULT_APP_ROLE,
      description: 'restricted role the service works as',
    },
    CLOISON_DB_POOL_SIZE: {
      type: 'integer',
      minimum: 1,
      maximum: 200,
      default: 10,
      description: 'connections per pool (primary and replica each)',
    },
    CLOISON_BOOTSTRAP_TOKEN: {
      type: 'string',
      pattern: SECRET,
      description: 'token of the first operator, created on first start; unset = a random one printed once',
    },
    CLOISON_BOOTSTRAP_TOKEN_2: {
      type: 'string',
      pattern: SECRET,
      description: 'token of the second initial operator, created on first start; unset = a random one printed once',
    },
    CLOISON_SMTP_URL: {
      type: 'string',
      pattern: '^smtps?://',
      description: 'SMTP server for invitation mails (smtp://user:pass@host:port); unset = development outbox',
    },
    CLOISON_MAIL_FROM: { type: 'string', minLength: 3, default: 'cloison@localhost', description: 'sender address of invitation mails' },
    CLOISON_OUTBOX_DIR: {
      type: 'string',
      minLength: 1,
      description: 'folder for invitation mails when no SMTP server is set, outside CLOISON_DATA_DIR; unset = <CLOISON_DATA_DIR>-outbox',
    },
    CLOISON_SECRETS_DIR: {
      type: 'string',
      minLength: 1,
      description: 'folder of the generated audit signing key, outside CLOISON_DATA_DIR; unset = <CLOISON_DATA_DIR>-secrets',
    },
    CLOISON_CATALOG_DIR: { type: 'string', minLength: 1, default: 'catalog', description: 'option catalog folder' },
    LOG_LEVEL: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', description: 'JSON log level' },
    CLOISON_BODY_LIMIT: { type: 'integer', minimum: 1024, maximum: 16777216, default: 262144, description: 'largest request body, bytes' },
    CLOISON_METRICS_TOKEN: {
      type: 'string',
      pattern: SECRET,
      description: 'bearer token Prometheus sends to /metrics; unset = /metrics is off',
    },
    CLOISON_SHUTDOWN_GRACE_MS: {
      type: 'integer',
      minimum: 0,
      maximum: 600000,
      default: 10000,
      description: 'on SIGTERM, how long in-flight requests may take before connections are cut',
    },
    CLOISON_AUDIT_SIGNING_KEY: {
      type: 'string',
      minLength: 32,
      description:
        'Ed25519 PKCS#8 key (PEM or base64 DER) signing audit checkpoints and seal documents; unset = a key kept in CLOISON_SECRETS_DIR',
    },
    CLOISON_AUDIT_PREVIOUS_SIGNING_KEY: {
      type: 'string',
      minLength: 32,
      description: 'the published signing key (same forms) when rotating to CLOISON_AUDIT_SIGNING_KEY; unset = no rotation',
    },
    CLOISON_AUDIT_CHECKPOINT_EVERY: {
      type: 'integer',
      minimum: 1,
      maximum: 1000000,
      default: 1000,
      description: 'sign an audit checkpoint every N events',
    },
    CLOISON_AUDIT_CHECKPOINT_SECONDS: {
      type: 'integer',
      minimum: 1,
      maximum: 86400,
      default: 10,
      description: '… or at least this often while events arrive',
    },
    CLOISON_DEFAULT_CHANGES: {
      enum: ['pin', 'refuse'],
      default: 'pin',
      description:
        'when a default changes under sealed tenants or tenants for whom the option needs approval: pin them to the old value, or refuse to boot',
    },
    CLOISON_RATE_LIMIT_MAX: {
      type: 'integer',
      minimum: 0,
      maximum: 1000000,
      default: 1200,
      description: 'requests per client (bearer token, else address) and window; 0 turns the limit off',
    },
    CLOISON_RATE_LIMIT_WINDOW_MS: {
      type: 'integer',
      minimum: 1000,
      maximum: 3600000,
      default: 60000,
      description: 'rate-limit window, ms',
    },
    CLOISON_AUTH_FAILURE_MAX: {
      type: 'integer',
      minimum: 0,
      maximum: 1000000,
      default: 100,
      description: 'failed authentications per client address and window before its requests with credentials answer 429; 0 = off',
    },
    CLOISON_OFREP_RATE_LIMIT_MAX: {
      type: 'integer',
      minimum: 0,
      maximum: 100000000,
      default: 300000,
      description: 'OFREP evaluations per token, window and instance (5,000/s over 60 s); 0 turns the limit off',
    },
    CLOISON_DB_CONNECT_TIMEOUT_MS: {
      type: 'integer',
      minimum: 100,
      maximum: 60000,
      default: 5000,
      description: 'how long a request waits for a database connection before failing with 503',
    },
    CLOISON_WEBAUTHN_RP_ID: {
      type: 'string',
      pattern: '^[a-z0-9.-]{1,253}$',
      default: 'localhost',
      description: "relying party id of passkeys (the console's host name)",
    },
    CLOISON_WEBAUTHN_ORIGINS: {
      type: 'string',
      pattern: '^https?://[^,\\s]+(,https?://[^,\\s]+)*$',
      description: "comma-separated origins a passkey ceremony may come from (the console's); unset: http://localhost:<PORT>",
    },
    CLOISON_SIGNED_APPROVALS_FROM_RISK: {
      type: 'integer',
      minimum: 1,
      maximum: 4,
      default: 2,
      description: 'new tenants of this risk level or above refuse unsigned approvals of critical options (4 = none by default)',
    },
    OIDC_ISSUER: {
      type: 'string',
      format: 'uri',
      description: 'staff sign-in: issuer whose JWTs are accepted (exact `iss`); unset = JWTs refused',
    },
    OIDC_AUDIENCE: { type: 'string', minLength: 1, description: 'required `aud` of those JWTs' },
    OIDC_JWKS_URL: {
      type: 'string',
      format: 'uri',
      description: "issuer's key set; unset = jwks_uri from the issuer's discovery document",
    },
    OIDC_ROLE_CLAIM: {
      type: 'string',
      minLength: 1,
      default: 'cloison_role',
      description: "optional claim that, when present, must equal the registered principal's role (grants nothing)",
    },
    OIDC_TENANT_CLAIM: {
      type: 'string',
      minLength: 1,
      default: 'cloison_tenant',
      description: "optional claim that, when present, must equal the registered principal's tenant slug (grants nothing)",
    },
    OIDC_ALGORITHMS: {
      type: 'string',
      pattern: '^[A-Za-z0-9]+(,[A-Za-z0-9]+)*$',
      default: 'RS256,ES256,EdDSA',
      description: 'accepted signature algorithms, comma-separated',
    },
    OIDC_CLOCK_TOLERANCE_SECONDS: { type: 'integer', minimum: 0, maximum: 300, default: 30, description: 'leeway on exp/nbf/iat' },
    OIDC_MAX_TOKEN_AGE_SECONDS: {
      type: 'integer',
      minimum: 60,
      maximum: 43200,
      default: 3600,
      description: 'oldest accepted iat (now − iat) and longest accepted lifetime (exp − iat)',
    },
    OIDC_JWKS_CACHE_SECONDS: {
      type: 'integer',
      minimum: 1,
      maximum: 900,
      default: 300,
      description: "how long the issuer's key set is trusted before it is fetched again",
    },
    OIDC_CLIENT_ID: {
      type: 'string',
      minLength: 1,
      description: 'console sign-in: client id registered at OIDC_ISSUER; unset = the console signs in with tokens only',
    },
    OIDC_CLIENT_SECRET: { type: 'string', minLength: 1, description: 'client secret of OIDC_CLIENT_ID' },
    OIDC_REDIRECT_URL: {
      type: 'string',
      pattern: '^https?://[^\\s]+/v1/console/callback$',
      description: "the console's callback as registered at the provider: <public address>/v1/console/callback",
    },
    CLOISON_CONSOLE_IDLE_SECONDS: {
      type: 'integer',
      minimum: 60,
      maximum: 86400,
      default: 1800,
      description: 'a console session unused this long ends',
    },
    CLOISON_CONSOLE_MAX_SECONDS: {
      type: 'integer',
      minimum: 300,
      maximum: 604800,
      default: 43200,
      description: 'a console session ends this long after sign-in, used or not',
    },
  },
  dependentRequired: {
    DATABASE_MIGRATION_URL: ['DATABASE_URL'],
    DATABASE_REPLICA_URL: ['DATABASE_URL'],
    OIDC_ISSUER: ['OIDC_AUDIENCE'],
    OIDC_AUDIENCE: ['OIDC_ISSUER'],
    OIDC_JWKS_URL: ['OIDC_ISSUER'],
    OIDC_CLIENT_ID: ['OIDC_ISSUER', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URL'],
    OIDC_CLIENT_SECRET: ['OIDC_CLIENT_ID'],
    OIDC_REDIRECT_URL: ['OIDC_CLIENT_ID'],
  },
} as const;

export type EnvName = keyof typeof ENV_SCHEMA.properties;
