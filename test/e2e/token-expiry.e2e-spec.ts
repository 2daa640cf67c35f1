import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

/** A bearer token may be given an end: past it, it authenticates nobody, cached or not. */
describe('token expiry', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'acme');
  });
  afterAll(async () => {
    await t?.stop();
  });

  const create = (body: object) =>
    t
      .as(OPERATOR_TOKEN)
      .post('/v1/principals')
      .send({ name: 'voting platform', role: 'service', tenant: 'acme', ...body });

  it('a token works until its end, then answers 401 (also once it was cached)', async () => {
    const end = new Date(Date.now() + 2500);
    const res = await create({ tokenExpiresAt: end.toISOString() });
    expect(res.status).toBe(201);
    expect(res.body.tokenExpiresAt).toBe(end.toISOString());
    const token = res.body.token as string;
    for (let i = 0; i < 3; i++) await t.as(token).get('/v1/tenants/acme/options/retention_days').expect(200);
    const created = (await t.as(OPERATOR_TOKEN).get('/v1/tenants/acme/audit?limit=20').expect(200)).body.items.find(
      (e: { action: string }) => e.action === 'principal.created',
    );
    expect(created.after.tokenExpiresAt).toBe(end.toISOString());
    await new Promise((r) => setTimeout(r, end.getTime() - Date.now() + 50));
    await t.as(token).get('/v1/tenants/acme/options/retention_days').expect(401);
    // A token without an end keeps working.
    const lasting = (await create({}).expect(201)).body;
    expect(lasting.tokenExpiresAt).toBeUndefined();
    await t.as(lasting.token).get('/v1/tenants/acme/options/retention_days').expect(200);
  });

  it('refuses an end in the past, an end for an identity-provider account, and for an operator request', async () => {
    const past = await create({ tokenExpiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(past.status).toBe(422);
    expect(past.body.details[0]).toMatchObject({ pointer: '/tokenExpiresAt', rule: 'future' });
    expect((await create({ tokenExpiresAt: 'tomorrow' })).status).toBe(400);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await create({ oidc: { subject: 'someone' }, tokenExpiresAt: future })).status).toBe(400);
    const op = await t.as(OPERATOR_TOKEN).post('/v1/principals').send({ name: 'temp operator', role: 'operator', tokenExpiresAt: future });
    expect(op.status).toBe(422);
  });
});
