import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

type Item = {
  tenant: string;
  option: string;
  source: string;
  value: unknown;
  requestedBy: { name: string } | null;
  changeRequest: string | null;
  approvedBy: { role: string }[];
  seal: { label: string } | null;
};

describe('exposure report', () => {
  let t: TestApp;
  let op2: string;
  let clientA: string;
  let compliance: string;
  const op = () => t.as(OPERATOR_TOKEN);

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'expo-a');
    await createTenant(t, 'expo-b');
    op2 = OPERATOR_TOKEN_2;
    clientA = await createPrincipal(t, 'client_admin', 'expo-a', 'office A');
    compliance = await createPrincipal(t, 'compliance');
    const r = (
      await op()
        .put('/v1/tenants/expo-a/options/admin_can_view_credentials')
        .send({ value: true, reason: 'credential mailing check' })
        .expect(202)
    ).body;
    await t.as(op2).post(`/v1/tenants/expo-a/change-requests/${r.id}/approve`).send({ contentHash: r.contentHash }).expect(200);
    await t.as(clientA).post(`/v1/tenants/expo-a/change-requests/${r.id}/approve`).send({ contentHash: r.contentHash }).expect(200);
    const seal = (await op().post('/v1/tenants/expo-a/seals').send({ label: 'AGM 2026' }).expect(201)).body;
    await t.as(op2).post(`/v1/tenants/expo-a/seals/${seal.id}/approve`).expect(200);
    await t.as(clientA).post(`/v1/tenants/expo-a/seals/${seal.id}/approve`).expect(200);
    const anytime = (
      await op().put('/v1/tenants/expo-b/options/schedule_change').send({ value: 'anytime', reason: 'dates still moving' }).expect(202)
    ).body;
    await t.as(op2).post(`/v1/tenants/expo-b/change-requests/${anytime.id}/approve`).send({ contentHash: anytime.contentHash }).expect(200);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('lists each tenant whose high or critical option is at neither its safe value nor the default, with who asked and who approved', async () => {
    const items = (await t.as(compliance).get('/v1/reports/exposure').expect(200)).body.items as Item[];
    const cred = items.filter((i) => i.option === 'admin_can_view_credentials');
    expect(cred).toEqual([
      expect.objectContaining({
        tenant: 'expo-a',
        value: true,
        source: 'tenant',
        requestedBy: expect.objectContaining({ name: 'bootstrap operator' }),
        changeRequest: expect.any(String),
        seal: { id: expect.any(String), label: 'AGM 2026' },
      }),
    ]);
    expect(cred[0]?.approvedBy.map((a) => a.role)).toEqual(['operator', 'client_admin']);
    expect(items[0]?.option).toBe('admin_can_view_credentials'); // critical first
    // A default that is not the safest value is no exposure; a tenant's departure from it is.
    const schedule = items.filter((i) => i.option === 'schedule_change');
    expect(schedule.map((i) => [i.tenant, i.source, i.value, i.requestedBy?.name])).toEqual([
      ['expo-b', 'tenant', 'anytime', 'bootstrap operator'],
    ]);
    expect(items.filter((i) => i.source === 'default')).toEqual([]);
    expect(items.some((i) => i.option === 'voter_second_factor')).toBe(false);
  });

  it("gives a client admin its own tenant's report only", async () => {
    const own = (await t.as(clientA).get('/v1/tenants/expo-a/reports/exposure').expect(200)).body.items as Item[];
    expect(new Set(own.map((i) => i.tenant))).toEqual(new Set(['expo-a']));
    await t.as(clientA).get('/v1/tenants/expo-b/reports/exposure').expect(404);
    await t.as(clientA).get('/v1/reports/exposure').expect(403);
  });
});
