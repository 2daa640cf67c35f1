import { OptionRowsCache } from '#tenancy';
import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { capturedLog } from '../support/captured-log.js';

/**
 * The service's session must stay the restricted role checked at boot. The embedded server
 * shares one session between every connection, so one `RESET ROLE` there turns row-level
 * security off for the service itself; on PostgreSQL a tampered pooled connection does the same.
 */
describe('a session switched under the service', () => {
  let t: TestApp;
  const log = capturedLog();
  const logLines = (): { level: number; msg?: unknown; err?: unknown }[] => log.lines.map((l) => JSON.parse(l));
  let adminToken: string;

  beforeAll(async () => {
    // One connection: the tampered one is the one every request gets.
    t = await startTestApp({ poolSize: 1, logLevel: 'warn' }, { logStream: log.logStream });
    await createTenant(t, 'alpha');
    await createTenant(t, 'beta');
    adminToken = await createPrincipal(t, 'client_admin', 'alpha');
    await t.as(adminToken).get('/v1/tenants/beta').expect(404);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses every tenant-scoped request with 503 (logged as an error) rather than serve it without row-level security', async () => {
    // Principal and tenant warm in their caches: the one-statement option routes check the session too.
    await t.as(adminToken).get('/v1/tenants/alpha/options/retention_days').expect(200);
    await t.as(OPERATOR_TOKEN).get('/v1/tenants/alpha/options/retention_days').expect(200);
    const before = await t.snapshot();
    const appRole = t.database.role.role;
    const c = await t.database.pool.connect();
    try {
      // Embedded: the role was set once for the shared session; RESET ROLE makes it the superuser.
      // PostgreSQL: the role is a startup option that RESET restores, so drop it outright.
      await c.query(t.database.mode === 'embedded' ? 'RESET ROLE' : 'SET ROLE NONE');
      expect((await c.query('SELECT current_user AS u')).rows[0].u).not.toBe(appRole);
    } finally {
      c.release();
    }
    // Option rows read before, under the checked session, are served from memory like evaluation
    // snapshots (no statement runs on the switched session); a read that needs the database checks it.
    t.app.get(OptionRowsCache).clear();
    try {
      const foreign = await t.as(adminToken).get('/v1/tenants/beta');
      expect(foreign.status).toBe(503);
      expect(foreign.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(JSON.stringify(foreign.body)).not.toContain('beta');
      await t.as(adminToken).get('/v1/tenants/beta/options').expect(503);
      await t.as(adminToken).get('/v1/tenants/alpha/options').expect(503);
      await t.as(adminToken).get('/v1/tenants/alpha/options/retention_days').expect(503);
      await t
        .as(OPERATOR_TOKEN)
        .put('/v1/tenants/alpha/options/retention_days')
        .send({ value: 401, reason: 'unchecked session' })
        .expect(503);
      await t.as(adminToken).put('/v1/tenants/beta/options/retention_days').send({ value: 400, reason: 'cross-tenant write' }).expect(503);
      await t.as(OPERATOR_TOKEN).get('/v1/tenants').expect(503);
      expect(logLines().some((l) => l.level >= 50 && /expected "[a-z_]+" with row security on/.test(String(l.err)))).toBe(true);
    } finally {
      const again = await t.database.pool.connect();
      try {
        await again.query(`SET ROLE "${appRole}"`);
      } finally {
        again.release();
      }
    }
    // Restored: served again, and nothing was written meanwhile.
    await t.as(adminToken).get('/v1/tenants/beta').expect(404);
    await t.as(adminToken).get('/v1/tenants/alpha/options').expect(200);
    expect(await t.snapshot()).toEqual(before);
  });
});
