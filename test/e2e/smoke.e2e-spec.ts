import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves health and accepts the bootstrap token', async () => {
    await t.http.get('/health').expect(200);
    await createTenant(t, 'alpha');
    const res = await t.as(OPERATOR_TOKEN).get('/v1/tenants').expect(200);
    expect(res.body.map((x: { slug: string }) => x.slug)).toEqual(['alpha']);
  });
});
