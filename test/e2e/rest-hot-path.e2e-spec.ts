import type pg from 'pg';
import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

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

  it('a warm GET of an option is one statement, and a direct PUT three, on the restricted pool', async () => {
    const path = '/v1/tenants/hot-a/options/retention_days';
    // Embedded mode drops every cache on the first poll after a change (200 ms): let it pass.
    await new Promise((r) => setTimeout(r, 450));
    await t.as(OPERATOR_TOKEN).get(path).expect(200);
    const read = await traffic(t.database.pool, () => t.as(OPERATOR_TOKEN).get(path).expect(200));
    expect(read).toEqual({ statements: [expect.stringContaining('cloison_read_option')], transactions: 0 });
    const write = await traffic(t.database.pool, () => t.as(OPERATOR_TOKEN).put(path).send({ value: 401, reason: 'hot path' }).expect(200));
    // The third, the global audit link, is shared by every change committed while the previous link ran.
    expect(write.statements).toEqual([
      expect.stringContaining('cloison_option_write_state'), expect.stringContaining('cloison_apply_option_unlinked'), expect.stringContaining('cloison_audit_link()'),
    ]);
    expect(write.transactions).toBe(0);
    const res = await t.as(adminA).get(path).expect(200);
    expect(res.body).toMatchObject({ value: 401, source: 'tenant', version: 2 });
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
