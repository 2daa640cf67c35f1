import request from 'supertest';
import { createApp, type CloisonApp } from '#api/app.factory';
import { ChangeListener } from '#evaluation';
import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

const one = (key: string) => `/ofrep/v1/evaluate/flags/${key}`;

// Two API instances need one shared database server; the embedded PGlite database lives inside
// a single process, so this runs against PostgreSQL (DATABASE_URL) only.
const withServer = process.env.DATABASE_URL ? describe : describe.skip;

withServer('OFREP across two instances on one database', () => {
  let a: TestApp;
  let b: CloisonApp;
  let alphaService: string;
  let betaService: string;

  const onB = (token: string) => ({
    post: (path: string) => request(b.app.getHttpServer()).post(path).set('authorization', `Bearer ${token}`),
  });
  const setOnA = (tenant: string, key: string, value: unknown) =>
    a.as(OPERATOR_TOKEN).put(`/v1/tenants/${tenant}/options/${key}`).send({ value, reason: 'instances test' }).expect(200);

  beforeAll(async () => {
    a = await startTestApp();
    b = await createApp(a.config);
    await b.app.getHttpAdapter().getInstance().ready();
    await createTenant(a, 'alpha');
    await createTenant(a, 'beta');
    alphaService = await createPrincipal(a, 'service', 'alpha');
    betaService = await createPrincipal(a, 'service', 'beta');
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it('listens for notifications on PostgreSQL', () => {
    expect(a.app.get(ChangeListener).mode).toBe('notify');
    expect(b.app.get(ChangeListener).mode).toBe('notify');
  });

  it('shows a change made through A on B within a second, to that tenant only', async () => {
    // Warm B's snapshots and principal cache for both tenants.
    expect((await onB(alphaService).post(one('ui_language')).send({}).expect(200)).body.value).toBe('fr');
    expect((await onB(betaService).post(one('ui_language')).send({}).expect(200)).body.value).toBe('fr');

    for (const [i, lang] of ['en', 'de', 'es'].entries()) {
      await setOnA('alpha', 'ui_language', lang);
      const started = Date.now();
      let seen: unknown;
      while (Date.now() - started < 1000) {
        seen = (await onB(alphaService).post(one('ui_language')).send({})).body.value;
        if (seen === lang) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect({ round: i, seen }).toEqual({ round: i, seen: lang });
      // Beta's token on either instance still gets beta's own (default) value.
      expect((await onB(betaService).post(one('ui_language')).send({})).body.value).toBe('fr');
      expect((await a.as(betaService).post(one('ui_language')).send({})).body.value).toBe('fr');
    }
  });

  it('agrees on ETags across instances, and a revocation through A reaches B', async () => {
    const fromA = await a.as(betaService).post('/ofrep/v1/evaluate/flags').send({}).expect(200);
    const fromB = await onB(betaService)
      .post('/ofrep/v1/evaluate/flags')
      .set('if-none-match', fromA.headers.etag as string)
      .send({});
    expect(fromB.status).toBe(304);

    const token = await createPrincipal(a, 'service', 'beta', 'revoked through A');
    await onB(token).post(one('revote')).send({}).expect(200);
    await a.superuser((c) => c.query(`UPDATE principals SET revoked_at = now() WHERE name = 'revoked through A'`));
    const started = Date.now();
    let status = 200;
    while (status !== 401 && Date.now() - started < 1000) {
      status = (await onB(token).post(one('revote')).send({})).status;
    }
    expect(status).toBe(401);
  });

  it('stops caching while its listener is lost, and listens again', async () => {
    const tenant = (await a.as(OPERATOR_TOKEN).get('/v1/tenants/alpha').expect(200)).body as { id: string };
    await onB(alphaService).post(one('max_proxies')).send({}).expect(200); // warm
    const listeners = () =>
      a.superuser(
        async (c) =>
          (await c.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN cloison_evaluation'`))
            .rows,
      );
    expect(await listeners()).toHaveLength(2);
    await a.superuser((c) =>
      c.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN cloison_evaluation'`,
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    // Written while nobody listens: no notification will ever arrive for it.
    await a.superuser((c) =>
      c.query(
        `INSERT INTO option_values (tenant_id, option_key, is_set, value, version, updated_at, updated_by_id, updated_by)
         VALUES ($1, 'max_proxies', true, '3'::jsonb, 1, now(), 'dba', 'dba')`,
        [tenant.id],
      ),
    );
    expect((await onB(alphaService).post(one('max_proxies')).send({}).expect(200)).body.value).toBe(3);
    const started = Date.now();
    while ((await listeners()).length < 2 && Date.now() - started < 3000) await new Promise((r) => setTimeout(r, 50));
    expect(await listeners()).toHaveLength(2);
    await setOnA('alpha', 'max_proxies', 4);
    const again = Date.now();
    let seen: unknown;
    while (seen !== 4 && Date.now() - again < 1000) seen = (await onB(alphaService).post(one('max_proxies')).send({})).body.value;
    expect(seen).toBe(4);
  });
});
