import {
  OPERATOR_TOKEN,
  OPERATOR_TOKEN_2,
  createPrincipal,
  createTenant,
  inviteClientAdmin,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

interface Item {
  kind: 'change_request' | 'seal';
  tenant: { slug: string; name: string };
  before?: unknown;
  purpose?: string;
  request?: { id: string; option: string };
  seal?: { id: string };
}

/** GET /v1/inbox: what awaits the caller's approval, across the tenants the caller may read. */
describe('approvals inbox', () => {
  let t: TestApp;
  let clientA: string;
  let clientB: string;
  let compliance: string;
  let critical: { id: string; contentHash: string };
  let high: { id: string };

  const inbox = async (token: string) => (await t.as(token).get('/v1/inbox').expect(200)).body as { count: number; items: Item[] };
  const what = (items: Item[]) =>
    items.map((i) => `${i.tenant.slug}:${i.kind === 'seal' ? `seal/${i.purpose}` : i.request?.option}`).sort();

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'tenant-a');
    await createTenant(t, 'tenant-b');
    clientA = await inviteClientAdmin(t, 'tenant-a', 'President A');
    clientB = await inviteClientAdmin(t, 'tenant-b', 'President B');
    compliance = await createPrincipal(t, 'compliance', undefined, 'Reviewer');
    critical = (
      await t
        .as(OPERATOR_TOKEN)
        .put('/v1/tenants/tenant-a/options/admin_can_view_credentials')
        .send({ value: true, reason: 'support case 12' })
        .expect(202)
    ).body;
    high = (
      await t
        .as(OPERATOR_TOKEN)
        .put('/v1/tenants/tenant-b/options/schedule_change')
        .send({ value: 'anytime', reason: 'dates still moving' })
        .expect(202)
    ).body;
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('shows another operator every request owing an operator approval, with the value it replaces; never the requester their own', async () => {
    const other = await inbox(OPERATOR_TOKEN_2);
    expect(what(other.items)).toEqual(['tenant-a:admin_can_view_credentials', 'tenant-b:schedule_change']);
    expect(other.count).toBe(2);
    const item = other.items.find((i) => i.request?.id === critical.id);
    expect(item).toMatchObject({
      kind: 'change_request',
      tenant: { slug: 'tenant-a', name: 'Tenant tenant-a' },
      before: false,
      request: { status: 'pending', value: true },
    });
    expect(other.items.find((i) => i.request?.id === high.id)?.before).toBe('before_opening');
    expect(await inbox(OPERATOR_TOKEN)).toEqual({ count: 0, items: [] });
  });

  it('shows a client admin only its own organisation’s requests that need its consent', async () => {
    expect(what((await inbox(clientA)).items)).toEqual(['tenant-a:admin_can_view_credentials']);
    // A high option needs no client consent: nothing awaits tenant B's president.
    expect(await inbox(clientB)).toEqual({ count: 0, items: [] });
  });

  it('drops a request once the caller’s side has approved it, and keeps it for the side still owed', async () => {
    await t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/tenant-a/change-requests/${critical.id}/approve`)
      .send({ contentHash: critical.contentHash })
      .expect(200);
    expect(what((await inbox(OPERATOR_TOKEN_2)).items)).toEqual(['tenant-b:schedule_change']);
    expect(what((await inbox(clientA)).items)).toEqual(['tenant-a:admin_can_view_credentials']);
  });

  it('lists a proposed seal for those whose approval would count, not for its proposer nor another tenant', async () => {
    const seal = (await t.as(OPERATOR_TOKEN).post('/v1/tenants/tenant-b/seals').send({ label: 'General assembly' }).expect(201)).body;
    expect((await inbox(OPERATOR_TOKEN_2)).items.find((i) => i.kind === 'seal')).toMatchObject({
      tenant: { slug: 'tenant-b' },
      purpose: 'activate',
      seal: { id: seal.id, status: 'proposed' },
    });
    expect(what((await inbox(clientB)).items)).toEqual(['tenant-b:seal/activate']);
    expect(what((await inbox(OPERATOR_TOKEN)).items)).toEqual([]);
    expect(what((await inbox(clientA)).items)).toEqual(['tenant-a:admin_can_view_credentials']);
  });

  it('is refused to roles that approve nothing, and to anonymous callers', async () => {
    await t.as(compliance).get('/v1/inbox').expect(403);
    await t.http.get('/v1/inbox').expect(401);
    await t.as(OPERATOR_TOKEN).get('/v1/inbox?tenant=tenant-a').expect(400);
  });
});
