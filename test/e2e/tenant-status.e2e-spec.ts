import {
  OPERATOR_TOKEN,
  OPERATOR_TOKEN_2,
  createPrincipal,
  createTenant,
  inviteClientAdmin,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

/** GET /v1/reports/tenant-status: each tenant's seal and the number of changes waiting for approval. */
describe('tenant status report', () => {
  let t: TestApp;
  let clientB: string;
  let compliance: string;
  const op = () => t.as(OPERATOR_TOKEN);

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'tenant-a');
    await createTenant(t, 'tenant-b');
    await createTenant(t, 'tenant-c');
    clientB = await inviteClientAdmin(t, 'tenant-b', 'President B');
    compliance = await createPrincipal(t, 'compliance', undefined, 'Reviewer');
    await op().put('/v1/tenants/tenant-a/options/schedule_change').send({ value: 'anytime', reason: 'dates still moving' }).expect(202);
    await op().put('/v1/tenants/tenant-a/options/voter_list_export').send({ value: true, reason: 'bailiff audit' }).expect(202);
    const seal = (await op().post('/v1/tenants/tenant-b/seals').send({ label: 'Assembly 2027' }).expect(201)).body;
    await t.as(OPERATOR_TOKEN_2).post(`/v1/tenants/tenant-b/seals/${seal.id}/approve`).expect(200);
    await t.as(clientB).post(`/v1/tenants/tenant-b/seals/${seal.id}/approve`).expect(200);
    await op().post('/v1/tenants/tenant-c/seals').send({ label: 'Congress' }).expect(201);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('names each tenant’s seal in force or proposed and counts its pending requests', async () => {
    const body = (await t.as(compliance).get('/v1/reports/tenant-status').expect(200)).body;
    expect(body).toEqual([
      { tenant: 'tenant-a', seal: null, pendingRequests: 2 },
      { tenant: 'tenant-b', seal: { id: expect.any(String), label: 'Assembly 2027', status: 'active' }, pendingRequests: 0 },
      { tenant: 'tenant-c', seal: { id: expect.any(String), label: 'Congress', status: 'proposed' }, pendingRequests: 0 },
    ]);
  });

  it('is for roles that read across tenants; a client admin reads its own tenant’s routes', async () => {
    await t.as(clientB).get('/v1/reports/tenant-status').expect(403);
    await t.http.get('/v1/reports/tenant-status').expect(401);
    await op().get('/v1/reports/tenant-status?tenant=tenant-a').expect(400);
  });
});
