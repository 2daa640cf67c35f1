import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { createApp, type CloisonApp, type CreateAppOptions } from '#api/app.factory';
import { loadConfig, type CloisonConfig } from '#config';
import { copyPgliteTemplate, copyPostgresTemplate } from './template-database.js';
import { tempDir } from './temp-dir.js';

export const OPERATOR_TOKEN = 'cln_test-bootstrap-operator-token';
/** The second initial operator: another person (lineage), who can approve the first one's requests. */
export const OPERATOR_TOKEN_2 = 'cln_test-second-bootstrap-operator';

/** A database of its own for one test file: on PostgreSQL (DATABASE_URL set) or embedded. */
export interface TestDatabase {
  url?: string;
  /** Embedded: the data folder (unset = in memory). */
  dataDir?: string;
  drop(): Promise<void>;
}

/** An empty database (embedded: in memory): the service migrates it from scratch. */
export async function freshDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) return { url: undefined, drop: async () => undefined };
  const name = `cloison_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => dropDatabase(base, name),
  };
}

/**
 * A database with every migration applied, copied from the run's template: a new PostgreSQL
 * database, or (embedded) a copy of a migrated data folder, which also lets the app reboot.
 */
export async function migratedDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const copy = await copyPgliteTemplate();
    return { dataDir: copy.dataDir, drop: async () => copy.drop() };
  }
  const name = `cloison_t_${randomBytes(6).toString('hex')}`;
  await copyPostgresTemplate(base, name);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropDatabase(base, name) };
}

async function dropDatabase(base: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.end();
}

/**
 * One signing key per test process: every app a test file starts on one database (reboots,
 * several instances) signs with it, as instances of one installation must (docs/audit.md).
 */
export const TEST_SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export function testConfig(overrides: Partial<CloisonConfig> = {}): CloisonConfig {
  return {
    ...loadConfig({}, process.cwd()),
    dataDir: undefined,
    logLevel: 'silent',
    bootstrapToken: OPERATOR_TOKEN,
    auditSigningKey: TEST_SIGNING_KEY,
    bootstrapToken2: OPERATOR_TOKEN_2,
    mail: { from: 'cloison@test.invalid', outboxDir: tempDir('cloison-outbox-') },
    // Suites about other rules approve unsigned; test/e2e/signed-approvals runs the default (2).
    signedApprovalsFromRisk: 4,
    ...overrides,
  };
}

export { tempDir };

export interface TestApp extends CloisonApp {
  config: CloisonConfig;
  http: ReturnType<typeof request>;
  /** Supertest agent that sends `token` as bearer. */
  as(token: string): Caller;
  /** Runs `fn` as the database superuser (session user) inside one transaction. */
  superuser<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Everything the service stores, read as superuser: compared before/after failing requests. */
  snapshot(): Promise<Record<string, unknown[]>>;
  /** Stops this app and boots a new one on the same database (embedded: needs a `dataDir`). */
  reboot(overrides?: Partial<CloisonConfig>): Promise<TestApp>;
  stop(): Promise<void>;
}

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';
export type Caller = Record<Method, (path: string) => request.Test>;

export async function startTestApp(overrides: Partial<CloisonConfig> = {}, options: CreateAppOptions = {}): Promise<TestApp> {
  // A caller that brings its own database (restart tests, data folders) keeps it; otherwise a migrated copy.
  const own = 'databaseUrl' in overrides || overrides.dataDir !== undefined;
  const db = own ? { url: overrides.databaseUrl, drop: async () => undefined } : await migratedDatabase();
  return bootOn(db, testConfig({ databaseUrl: db.url, dataDir: db.dataDir, ...overrides }), true, options);
}

async function bootOn(db: TestDatabase, config: CloisonConfig, dropOnFailure: boolean, options: CreateAppOptions): Promise<TestApp> {
  let app: CloisonApp;
  try {
    app = await createApp(config, options);
  } catch (err) {
    if (dropOnFailure) await db.drop();
    throw err;
  }
  let closed = false;
  await app.app.getHttpAdapter().getInstance().ready();
  const server = app.app.getHttpServer();
  const http = request(server);
  const as = (token: string): Caller => {
    const call = (m: Method) => (path: string) => request(server)[m](path).set('authorization', `Bearer ${token}`);
    return { get: call('get'), post: call('post'), put: call('put'), delete: call('delete'), patch: call('patch') };
  };
  const superuser = async <T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => {
    const c = await app.database.pool.connect();
    try {
      await c.query('BEGIN');
      // The pool works as the restricted role; the session user is the privileged one.
      await c.query('SET LOCAL ROLE NONE');
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (err) {
      await c.query('ROLLBACK');
      throw err;
    } finally {
      c.release();
    }
  };
  const snapshot = () =>
    superuser(async (c) => {
      const out: Record<string, unknown[]> = {};
      for (const [table, order] of [
        ['tenants', 'id'],
        ['principals', 'id'],
        ['option_values', 'tenant_id, option_key'],
        ['audit_events', 'seq'],
        ['audit_heads', 'chain'],
        ['change_requests', 'id'],
        ['change_request_approvals', 'request_id, principal_id, content_hash'],
        ['catalog_defaults', 'option_key'],
        ['catalog_definition_history', 'id'],
        ['seals', 'id'],
        ['seal_approvals', 'seal_id, principal_id, purpose'],
        ['principal_requests', 'id'],
        ['invitations', 'id'],
      ] as const) {
        out[table] = (await c.query(`SELECT * FROM ${table} ORDER BY ${order}`)).rows;
      }
      return out;
    });
  return {
    ...app,
    config,
    http,
    as,
    superuser,
    snapshot,
    async reboot(more: Partial<CloisonConfig> = {}) {
      if (!config.databaseUrl && !config.dataDir) throw new Error('reboot on the embedded database needs a dataDir');
      if (!closed) await app.close();
      closed = true;
      return bootOn(db, { ...config, ...more }, false, options);
    },
    async stop() {
      if (!closed) await app.close();
      closed = true;
      await db.drop();
    },
  };
}

/** Creates a tenant as the bootstrap operator and returns its view. */
export async function createTenant(t: TestApp, slug: string, riskLevel = 2): Promise<{ id: string; slug: string }> {
  const res = await t
    .as(OPERATOR_TOKEN)
    .post('/v1/tenants')
    .send({ slug, name: `Tenant ${slug}`, riskLevel });
  if (res.status !== 201) throw new Error(`creating tenant ${slug}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Creates a principal through the route a real one would take and returns its token: a client
 * admin by invitation (its own person), an operator requested by the bootstrap operator and
 * approved by the second one (the bootstrap operator's person), others directly.
 */
export async function createPrincipal(t: TestApp, role: string, tenant?: string, name = `${role} ${tenant ?? 'all'}`): Promise<string> {
  if (role === 'client_admin' && tenant) return inviteClientAdmin(t, tenant, name);
  if (role === 'operator') return requestOperator(t, name);
  const res = await t
    .as(OPERATOR_TOKEN)
    .post('/v1/principals')
    .send({ name, role, ...(tenant ? { tenant } : {}) });
  if (res.status !== 201) throw new Error(`creating ${role}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** A new operator requested by `by`, approved by the other bootstrap operator, collected by `by`. */
export async function requestOperator(t: TestApp, name = 'another operator', by = OPERATOR_TOKEN): Promise<string> {
  const req = await t.as(by).post('/v1/principals').send({ name, role: 'operator' });
  if (req.status !== 202) throw new Error(`requesting operator: ${req.status} ${JSON.stringify(req.body)}`);
  const approver = by === OPERATOR_TOKEN_2 ? OPERATOR_TOKEN : OPERATOR_TOKEN_2;
  const ok = await t.as(approver).post(`/v1/principal-requests/${req.body.id}/approve`).send({});
  if (ok.status !== 200) throw new Error(`approving operator: ${ok.status} ${JSON.stringify(ok.body)}`);
  const res = await t.as(by).post(`/v1/principal-requests/${req.body.id}/token`).send({});
  if (res.status !== 201) throw new Error(`collecting operator: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

const clientAdmins = new WeakMap<object, Map<string, string>>();
/** The Set-Cookie line of `name` in a response, or undefined. */
export function setCookie(res: request.Response, name: string): string | undefined {
  return ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((l) => l.startsWith(`${name}=`));
}

/** The value a Set-Cookie line sets ('' for none). */
export const cookieValue = (line: string | undefined): string => line?.split(';')[0]?.split('=')[1] ?? '';

let invitations = 0;

/** The code of the newest mail to `email` in the development outbox. */
export function outboxCode(t: TestApp, email: string): string {
  const dir = t.config.mail.outboxDir as string;
  const mails = readdirSync(dir)
    .filter((f) => f.endsWith(`-${email}.eml`))
    .sort();
  const last = mails.at(-1);
  if (!last) throw new Error(`no mail to ${email} in ${dir}`);
  const code = /inv_[A-Za-z0-9_-]{43}/.exec(readFileSync(join(dir, last), 'utf8'));
  if (!code) throw new Error(`no code in ${last}`);
  return code[0];
}

/**
 * An invitation to `tenant` from `by` (the bootstrap operator unless said), approved where it waits
 * by `approver`: the second bootstrap operator unless said (a tenant's first people need another
 * person at the vendor; once it has a client admin, pass one). Returns the last answer's body.
 */
export async function sendInvitation(
  t: TestApp,
  tenant: string,
  who: { email: string; name: string },
  { by = OPERATOR_TOKEN, approver = OPERATOR_TOKEN_2 }: { by?: string; approver?: string } = {},
): Promise<Record<string, unknown>> {
  const res = await t.as(by).post(`/v1/tenants/${tenant}/invitations`).send(who);
  if (res.status === 202) {
    const ok = await t.as(approver).post(`/v1/tenants/${tenant}/principal-requests/${res.body.id}/approve`).send({});
    if (ok.status !== 200) throw new Error(`approving invitation: ${ok.status} ${JSON.stringify(ok.body)}`);
    return ok.body;
  }
  if (res.status !== 201) throw new Error(`inviting to ${tenant}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * A client admin of `tenant`, its own person: invited by the bootstrap operator, approved by an
 * earlier client admin of the tenant when there is one (else by the second bootstrap operator),
 * redeemed from the outbox.
 */
export async function inviteClientAdmin(t: TestApp, tenant: string, name = `client admin ${tenant}`): Promise<string> {
  const email = `admin-${++invitations}-${tenant}@example.test`;
  const known = clientAdmins.get(t.app) ?? new Map<string, string>();
  clientAdmins.set(t.app, known);
  await sendInvitation(t, tenant, { email, name }, { approver: known.get(tenant) ?? OPERATOR_TOKEN_2 });
  const redeemed = await t.http.post('/v1/invitations/redeem').send({ code: outboxCode(t, email) });
  if (redeemed.status !== 201) throw new Error(`redeeming: ${redeemed.status} ${JSON.stringify(redeemed.body)}`);
  if (!known.has(tenant)) known.set(tenant, redeemed.body.token);
  return redeemed.body.token;
}
