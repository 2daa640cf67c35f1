import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app.config.js';
import { ENV_SCHEMA } from './config.schema.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('has a default for everything optional and resolves folders against the root', () => {
    const c = loadConfig({}, '/srv');
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: '/srv/data',
      catalogDir: '/srv/catalog',
      poolSize: 10,
      logLevel: 'info',
      bodyLimit: 262144,
      shutdownGraceMs: 10000,
    });
    // The signing key and the development outbox live beside the database's files, never among them.
    expect(c.secretsDir).toBe('/srv/data-secrets');
    expect(c.mail.outboxDir).toBe('/srv/data-outbox');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.oidc).toBeUndefined();
    expect(c.metricsToken).toBeUndefined();
  });

  it('coerces and accepts valid values; an empty value counts as unset', () => {
    const c = loadConfig(
      { PORT: '8080', CLOISON_DB_POOL_SIZE: '', OIDC_ISSUER: 'https://id.example.org/', OIDC_AUDIENCE: 'cloison' },
      '/srv',
    );
    expect(c.port).toBe(8080);
    expect(c.poolSize).toBe(10);
    expect(c.oidc).toMatchObject({
      issuer: 'https://id.example.org/',
      audience: 'cloison',
      roleClaim: 'cloison_role',
      algorithms: ['RS256', 'ES256', 'EdDSA'],
    });
  });

  it('refuses bad values, naming every faulty variable at once and never echoing secrets', () => {
    const found = problems({
      PORT: '70000',
      CLOISON_DB_POOL_SIZE: 'many',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://secret@db/x',
      CLOISON_BOOTSTRAP_TOKEN: 'short',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'PORT must be <= 65535 (got "70000")',
        'CLOISON_DB_POOL_SIZE must be integer (got "many")',
        expect.stringMatching(/^LOG_LEVEL must be equal to one of the allowed values \(got "loud"\)/),
        expect.stringMatching(/^DATABASE_URL must match pattern .*\(value not shown\)$/),
        expect.stringMatching(/^CLOISON_BOOTSTRAP_TOKEN must match pattern .*\(value not shown\)$/),
      ]),
    );
    expect(found.join('\n')).not.toContain('secret@db');
  });

  it('refuses settings that need another one', () => {
    expect(problems({ DATABASE_MIGRATION_URL: 'postgresql://a@b/c' })).toEqual([
      'DATABASE_MIGRATION_URL requires DATABASE_URL to be set too',
    ]);
    expect(problems({ DATABASE_REPLICA_URL: 'postgresql://a@b/c' })).toEqual(['DATABASE_REPLICA_URL requires DATABASE_URL to be set too']);
    expect(problems({ OIDC_ISSUER: 'https://id.example.org' })).toEqual(['OIDC_ISSUER requires OIDC_AUDIENCE to be set too']);
    expect(problems({ OIDC_ISSUER: 'not a url', OIDC_AUDIENCE: 'x' })).toEqual(['OIDC_ISSUER must match format "uri" (got "not a url")']);
  });

  it('console sign-in: needs the issuer, secret and callback; its client id is never the API audience', () => {
    const base = { OIDC_ISSUER: 'https://id.example.org', OIDC_AUDIENCE: 'cloison-api' };
    const signIn = {
      OIDC_CLIENT_ID: 'cloison-console',
      OIDC_CLIENT_SECRET: 's3cret',
      OIDC_REDIRECT_URL: 'https://c.example.org/v1/console/callback',
    };
    expect(loadConfig({ ...base, ...signIn }).consoleSignIn).toEqual({
      clientId: 'cloison-console',
      clientSecret: 's3cret',
      redirectUrl: 'https://c.example.org/v1/console/callback',
    });
    expect(loadConfig(base).consoleSignIn).toBeUndefined();
    expect(() => loadConfig({ ...base, OIDC_CLIENT_ID: 'cloison-console' })).toThrow(/OIDC_CLIENT_ID requires OIDC_CLIENT_SECRET/);
    expect(() => loadConfig({ ...signIn })).toThrow(/OIDC_CLIENT_ID requires OIDC_ISSUER/);
    expect(() => loadConfig({ ...base, ...signIn, OIDC_REDIRECT_URL: 'https://c.example.org/elsewhere' })).toThrow(/OIDC_REDIRECT_URL/);
    expect(() => loadConfig({ ...base, ...signIn, OIDC_AUDIENCE: 'cloison-console' })).toThrow(/must differ from OIDC_AUDIENCE/);
  });

  it('docs/configuration.md lists every variable of the schema with its default', () => {
    const doc = readFileSync('docs/configuration.md', 'utf8');
    const section = doc.slice(doc.indexOf('## The service'), doc.indexOf('## The command line'));
    for (const [name, prop] of Object.entries(ENV_SCHEMA.properties)) {
      const row = section.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
      expect({ name, row: row !== undefined }).toEqual({ name, row: true });
      const def = (prop as { default?: unknown }).default;
      expect({ name, default: row!.split('|')[2]!.trim() }).toEqual({ name, default: def === undefined ? 'unset' : `\`${def}\`` });
    }
  });

  it('refuses an outbox or a secrets folder inside the data folder: a reader of the database files must hold neither', () => {
    expect(problems({ CLOISON_OUTBOX_DIR: 'data/outbox' })).toEqual([
      'CLOISON_OUTBOX_DIR must be outside CLOISON_DATA_DIR (its codes make client admins)',
    ]);
    expect(problems({ CLOISON_DATA_DIR: '/var/lib/cloison', CLOISON_SECRETS_DIR: '/var/lib/cloison' })).toEqual([
      'CLOISON_SECRETS_DIR must be outside CLOISON_DATA_DIR (it holds the audit signing key)',
    ]);
    expect(problems({ CLOISON_DATA_DIR: '/var/lib/cloison/', CLOISON_SECRETS_DIR: '/var/lib/cloison/keys' })).toHaveLength(1);
    // The root holds everything; a link into the data folder is inside it; the key is no mail.
    expect(problems({ CLOISON_DATA_DIR: '/' })).toHaveLength(2);
    const root = mkdtempSync(join(tmpdir(), 'cloison-config-'));
    mkdirSync(join(root, 'data', 'keys'), { recursive: true });
    symlinkSync(join(root, 'data', 'keys'), join(root, 'keys'));
    expect(problems({ CLOISON_DATA_DIR: join(root, 'data'), CLOISON_SECRETS_DIR: join(root, 'keys') })).toHaveLength(1);
    expect(problems({ CLOISON_SECRETS_DIR: '/srv/private', CLOISON_OUTBOX_DIR: '/srv/private' })).toEqual([
      'CLOISON_SECRETS_DIR and CLOISON_OUTBOX_DIR must be different folders',
    ]);
    // Beside it, even with a name that starts like it, is fine.
    expect(
      problems({ CLOISON_DATA_DIR: '/var/lib/cloison', CLOISON_SECRETS_DIR: '/var/lib/cloison-keys', CLOISON_OUTBOX_DIR: '/tmp/mail' }),
    ).toEqual([]);
  });
});
