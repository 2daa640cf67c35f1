import request from 'supertest';
import { createApp, type CloisonApp } from '../../apps/api/src/app.factory.js';
import { ChangeListener } from '../../libs/evaluation/src/index.js';
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
    const fromB = await onB(betaService).post('/ofrep/v1/evaluate/flags').set('if-none-match', fromA.headers.etag as string).send({});
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
});
