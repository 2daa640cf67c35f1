import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import request from 'supertest';
import { createApp, type CloisonApp } from '#api/app.factory';
import { ChangeListener } from '#evaluation';
import { OptionsService } from '#options';
import { defineAbilityFor } from '#policy';
import { OptionRowsCache } from '#tenancy';
import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, testConfig, type TestApp } from '../support/test-app.js';

const auth = { authorization: `Bearer ${OPERATOR_TOKEN}` };

/** Statements and interactive transactions the restricted pool serves while `fn` runs. */
async function traffic(pool: pg.Pool, fn: () => Promise<unknown>): Promise<{ statements: string[]; transactions: number }> {
  const statements: string[] = [];
  let transactions = 0;
  let inQuery = false;
  const query = pool.query.bind(pool);
  const connect = pool.connect.bind(pool);
  const spy = pool as unknown as { query: (...a: unknown[]) => unknown; connect: (...a: unknown[]) => unknown };
  spy.query = (...args: unknown[]) => {
    const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string })?.text);
    // The embedded mode's change counter poll is not the request's.
    if (!text.includes('evaluation_changes')) statements.push(text);
    // pg's Pool.query checks a client out through connect(), synchronously: not a transaction.
    inQuery = true;
    try {
      return (query as (...a: unknown[]) => unknown)(...args);
    } finally {
      inQuery = false;
    }
  };
  spy.connect = (...args: unknown[]) => {
    if (!inQuery) transactions++;
    return (connect as (...a: unknown[]) => unknown)(...args);
  };
  try {
    await fn();
  } finally {
    spy.query = query as never;
    spy.connect = connect as never;
  }
  return { statements, transactions };
}

/** Embedded mode: this instance's poll has read the change counter as it stands (no cache drop is due). */
async function pollCaughtUp(t: TestApp): Promise<void> {
  const listener = t.app.get(ChangeListener);
  if (listener.mode !== 'poll') return;
  const counter = await t.superuser(
    async (c) => (await c.query('SELECT seq::text AS seq FROM evaluation_changes WHERE id = 1')).rows[0]?.seq,
  );
  expect((listener as unknown as { lastSeq?: string }).lastSeq).toBe(counter);
}

async function eventually(check: () => Promise<void>, ms = 1_500): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

describe('REST option routes: fewer round trips, same checks', () => {
  let t: TestApp;
  let tenantA: { id: string; slug: string };
  let adminA: string;
  beforeAll(async () => {
    t = await startTestApp();
    tenantA = await createTenant(t, 'hot-a', 1);
    await createTenant(t, 'hot-b', 1);
    adminA = await createPrincipal(t, 'client_admin', 'hot-a');
    await t.as(OPERATOR_TOKEN).put('/v1/tenants/hot-a/options/retention_days').send({ value: 400, reason: 'seed' }).expect(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("a warm GET of an option needs no statement, a cold one reads all the tenant's rows in one, a direct PUT one plus the shared audit link", async () => {
    const path = '/v1/tenants/hot-a/options/retention_days';
    // Embedded mode drops every cache on the first poll after a change (200 ms, later on a busy
    // machine): counted again until that poll has read the counter as it stands, so that no drop is
    // still due when the PUT below is counted.
    await eventually(async () => {
      await pollCaughtUp(t);
      await t.as(OPERATOR_TOKEN).get(path).expect(200);
      t.app.get(OptionRowsCache).forgetTenant(tenantA.id);
      const cold = await traffic(t.database.pool, () => t.as(OPERATOR_TOKEN).get(path).expect(200));
      expect(cold).toEqual({ statements: [expect.stringContaining('cloison_read_options(')], transactions: 0 });
      const warm = await traffic(t.database.pool, async () => {
        const res = await t.as(OPERATOR_TOKEN).get(path).expect(200);
        expect(res.headers.etag).toBe('"1"');
        // Another option of the same tenant, never set: its default, from the same entry.
        const other = await t.as(OPERATOR_TOKEN).get('/v1/tenants/hot-a/options/revote').expect(200);
        expect(other.body).toMatchObject({ source: 'default', version: 0 });
      });
      expect(warm).toEqual({ statements: [], transactions: 0 });
    }, 5_000);
    const write = await traffic(t.database.pool, () => t.as(OPERATOR_TOKEN).put(path).send({ value: 401, reason: 'hot path' }).expect(200));
    // The instance wrote this option before (the seed): one statement, made against the row as it
    // left it, which the statement checks. The second, the global audit link, is shared by every
    // change committed while the previous link ran.
    expect(write.statements).toEqual([expect.stringContaining('cloison_change_option('), expect.stringContaining('cloison_audit_link()')]);
    expect(write.transactions).toBe(0);
    // The writing instance dropped the tenant's rows before answering: the next read sees the write.
    const after = await traffic(t.database.pool, async () => {
      const res = await t.as(OPERATOR_TOKEN).get(path).expect(200);
      expect(res.body).toMatchObject({ value: 401, source: 'tenant', version: 2 });
      expect(res.headers.etag).toBe('"2"');
    });
    // (Embedded mode may also have emptied the principal and tenant caches by then: not counted.)
    expect(after.statements.filter((s) => s.includes('cloison_read_option'))).toEqual([expect.stringContaining('cloison_read_options(')]);
    const res = await t.as(adminA).get(path).expect(200);
    expect(res.body).toMatchObject({ value: 401, source: 'tenant', version: 2 });
  });

  it('a direct PUT of an option changed elsewhere meanwhile learns the stored row from its refused statement, and writes over that', async () => {
    const path = '/v1/tenants/hot-a/options/retention_days';
    const seen = (await t.as(OPERATOR_TOKEN).put(path).send({ value: 410, reason: 'known' }).expect(200)).body.version as number;
    // Another instance (here: the superuser) moves the row: this instance's guess is now wrong.
    await t.superuser((c) =>
      c.query(`UPDATE option_values SET value = '411', version = version + 1 WHERE tenant_id = $1 AND option_key = 'retention_days'`, [
        tenantA.id,
      ]),
    );
    const write = await traffic(t.database.pool, async () => {
      const res = await t.as(OPERATOR_TOKEN).put(path).send({ value: 412, reason: 'after another writer' }).expect(200);
      expect(res.body).toMatchObject({ value: 412, version: seen + 2 });
    });
    // (Embedded mode may have emptied the principal and tenant caches meanwhile: not counted.)
    const ofTheWrite = (statements: string[]) => statements.filter((q) => /option|audit_link/.test(q));
    expect(ofTheWrite(write.statements)).toEqual([
      expect.stringContaining('cloison_change_option('),
      expect.stringContaining('cloison_change_option('),
      expect.stringContaining('cloison_audit_link()'),
    ]);
    // Its audit event starts from what was stored, not from what the instance believed.
    const [event] = await t.superuser(
      async (c) =>
        (
          await c.query(
            `SELECT before, after FROM audit_events WHERE tenant_id = $1 AND option_key = 'retention_days' ORDER BY id DESC LIMIT 1`,
            [tenantA.id],
          )
        ).rows,
    );
    expect(event).toEqual({ before: 411, after: 412 });
    // A no-op is never answered on a guess: the stored state is read first.
    const noop = await traffic(t.database.pool, () => t.as(OPERATOR_TOKEN).put(path).send({ value: 412, reason: 'same' }).expect(200));
    expect(ofTheWrite(noop.statements)).toEqual([expect.stringContaining('cloison_option_write_state')]);
    await t.as(OPERATOR_TOKEN).put(path).send({ value: 401, reason: 'as before' }).expect(200);
  });

  it('cold reads of one tenant at once share one statement, but never one that started before an invalidation', async () => {
    const rows = t.app.get(OptionRowsCache);
    rows.forgetTenant(tenantA.id);
    const together = await traffic(t.database.pool, () =>
      Promise.all([rows.load(tenantA.id), rows.load(tenantA.id), rows.load(tenantA.id)]),
    );
    expect(together.statements).toHaveLength(1);
    rows.forgetTenant(tenantA.id);
    const apart = await traffic(t.database.pool, async () => {
      const first = rows.load(tenantA.id);
      rows.forgetTenant(tenantA.id);
      await Promise.all([first, rows.load(tenantA.id)]);
    });
    expect(apart.statements).toHaveLength(2);
  });

  it('a read after a write on the same instance sees the write, every time', async () => {
    const path = '/v1/tenants/hot-a/options/max_proxies';
    for (let i = 1; i <= 5; i++) {
      await t.as(OPERATOR_TOKEN).get(path).expect(200);
      await t
        .as(OPERATOR_TOKEN)
        .put(path)
        .send({ value: i, reason: `write ${i}` })
        .expect(200);
      const [mine, theirs] = await Promise.all([t.as(OPERATOR_TOKEN).get(path).expect(200), t.as(adminA).get(path).expect(200)]);
      expect([mine.body.value, theirs.body.value]).toEqual([i, i]);
      expect(mine.headers.etag).toBe(`"${i}"`);
    }
  });

  it('the policy still judges a cached row: a caller whose rules do not reach it is served the default', async () => {
    const path = '/v1/tenants/hot-a/options/retention_days';
    await t.as(OPERATOR_TOKEN).get(path).expect(200);
    expect(t.app.get(OptionRowsCache).lookup(tenantA.id)?.rows.retention_days).toBeDefined();
    // A service principal of another tenant: its rules read that tenant's option values only. (The
    // guard would answer 404 before; the service must not rely on it.)
    const principal = { id: randomUUID(), name: 'elsewhere', role: 'service' as const, tenantId: randomUUID(), tenantSlug: 'elsewhere' };
    const ctx = { requestId: 'judged', principal, tenant: { ...tenantA, name: 'A', riskLevel: 1 }, ability: defineAbilityFor(principal) };
    const seen = await t.app.get(OptionsService).get(ctx, 'retention_days');
    expect(seen).toMatchObject({ source: 'default', version: 0, updatedBy: null });
  });

  it('a tenant cached for one read scope is still not found (404) for another', async () => {
    await t.as(OPERATOR_TOKEN).get('/v1/tenants/hot-b/options/retention_days').expect(200);
    await t.as(adminA).get('/v1/tenants/hot-b/options/retention_days').expect(404);
    await t.as(adminA).put('/v1/tenants/hot-b/options/retention_days').send({ value: 500, reason: 'x' }).expect(404);
  });

  it('a token served from the cache stops working as soon as it is revoked', async () => {
    // A service token: revoking a client admin of a tenant that has one is a request its client admin approves.
    const token = await createPrincipal(t, 'service', 'hot-a', 'soon revoked');
    await t.as(token).get('/v1/tenants/hot-a/options/retention_days').expect(200);
    const me = await t.as(token).get('/v1/me').expect(200);
    await t.as(OPERATOR_TOKEN).post(`/v1/principals/${me.body.id}/revoke`).expect(200);
    await t.as(token).get('/v1/tenants/hot-a/options/retention_days').expect(401);
  });

  it('a direct change follows the risk level as stored, not as cached: raised to 3, it needs an approval', async () => {
    await t.as(OPERATOR_TOKEN).get('/v1/tenants/hot-a/options/retention_days').expect(200);
    await t.superuser((c) => c.query('UPDATE tenants SET risk_level = 3 WHERE id = $1', [tenantA.id]));
    const res = await t.as(OPERATOR_TOKEN).put('/v1/tenants/hot-a/options/retention_days').send({ value: 402, reason: 'risk now 3' });
    expect(res.status).toBe(202);
    await t.superuser((c) => c.query('UPDATE tenants SET risk_level = 1 WHERE id = $1', [tenantA.id]));
  });

  it('a renamed tenant is no longer found under its old slug once the database announces it', async () => {
    await t.as(OPERATOR_TOKEN).get('/v1/tenants/hot-b/options/retention_days').expect(200);
    await t.superuser((c) => c.query(`UPDATE tenants SET slug = 'hot-b-renamed' WHERE slug = 'hot-b'`));
    await eventually(async () => {
      await t.as(OPERATOR_TOKEN).get('/v1/tenants/hot-b/options/retention_days').expect(404);
    });
    await t.as(OPERATOR_TOKEN).get('/v1/tenants/hot-b-renamed/options/retention_days').expect(200);
  });
});

// Notifications between instances need a PostgreSQL server (the embedded one polls a counter).
const withServer = process.env.DATABASE_URL ? describe : describe.skip;

withServer('REST option rows cached per instance, kept in step through the database', () => {
  let a: TestApp;
  let b: CloisonApp;
  let tenant: { id: string; slug: string };
  const path = '/v1/tenants/rows-a/options/retention_days';
  const onB = () => request(b.app.getHttpServer());
  beforeAll(async () => {
    a = await startTestApp();
    b = await createApp(testConfig({ databaseUrl: a.database.url }));
    await b.app.getHttpAdapter().getInstance().ready();
    tenant = await createTenant(a, 'rows-a', 1);
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it('a write through instance A is seen by instance B once the database announces it', async () => {
    expect(b.app.get(ChangeListener).mode).toBe('notify');
    await onB().get(path).set(auth).expect(200);
    const warm = await traffic(b.database.pool, () => onB().get(path).set(auth).expect(200));
    expect(warm.statements).toEqual([]);
    await a.as(OPERATOR_TOKEN).put(path).send({ value: 77, reason: 'through a' }).expect(200);
    await eventually(async () => {
      const got = await onB().get(path).set(auth).expect(200);
      expect(got.body).toMatchObject({ value: 77, source: 'tenant', version: 1 });
      expect(got.headers.etag).toBe('"1"');
    });
    expect(b.app.get(OptionRowsCache).lookup(tenant.id)?.rows.retention_days?.version).toBe(1);
  });

  it('while changes cannot be observed nothing is kept: every GET asks the database', async () => {
    const rows = b.app.get(OptionRowsCache);
    await onB().get(path).set(auth).expect(200);
    expect(rows.lookup(tenant.id)).toBeDefined();
    // Cut B's listening session: its caches go off until it has listened again (500 ms later).
    await a.superuser((c) =>
      c.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`,
      ),
    );
    await eventually(async () => expect(rows.live).toBe(false), 1_000);
    expect(rows.lookup(tenant.id)).toBeUndefined();
    const off = await traffic(b.database.pool, async () => {
      await onB().get(path).set(auth).expect(200);
      await onB().get(path).set(auth).expect(200);
    });
    // Principals and tenants are not kept either: only the option reads are counted here.
    expect(off.statements.filter((s) => s.includes('cloison_read_option'))).toEqual([
      expect.stringContaining('cloison_read_option('),
      expect.stringContaining('cloison_read_option('),
    ]);
    expect(rows.size).toBe(0);
    await eventually(async () => expect(rows.live).toBe(true), 5_000);
  });
});
