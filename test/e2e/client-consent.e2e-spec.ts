import { recoverOperator } from '#identity';
import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createTenant, outboxCode, startTestApp, type TestApp } from '../support/test-app.js';

const CRED = 'admin_can_view_credentials';

/**
 * Client consent counts the client's people, not the role: a client admin an operator made before
 * the client joined is that operator's login. Even with three people at the vendor (so that the
 * lineage rule alone lets it through), its approval consents to nothing: a critical change or a
 * seal step waits for a client admin whose lineage starts with one of the tenant's own.
 */
describe('client consent counted by person', () => {
  let t: TestApp;
  let third: string;
  let login: string;
  const op = () => t.as(OPERATOR_TOKEN);
  const op2 = () => t.as(OPERATOR_TOKEN_2);
  const inbox = async (token: string) =>
    ((await t.as(token).get('/v1/inbox').expect(200)).body.items as { request?: { id: string }; seal?: { id: string } }[]).map(
      (i) => i.request?.id ?? i.seal?.id,
    );
  const refusal = (res: { status: number; body: { details?: { rule: string }[] } }) => ({
    status: res.status,
    rule: res.body.details?.[0]?.rule,
  });

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'setting-up');
    // A third person at the vendor, of its own lineage (as `cloison operator recover` makes one).
    const c = await t.database.pool.connect();
    try {
      third = (await recoverOperator(c as never, 'Third operator', 'a third person', { id: 'system', name: 'test', role: 'system' })).token;
    } finally {
      c.release();
    }
    // The first operator sets the tenant up with a client admin of its own (it holds the token).
    const made = await op().post('/v1/principals').send({ name: 'Setup admin', role: 'client_admin', tenant: 'setting-up' }).expect(201);
    login = made.body.token;
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it("an operator's client admin does not consent to another operator's critical change; the change waits for the client", async () => {
    const change = (await op2().put(`/v1/tenants/setting-up/options/${CRED}`).send({ value: true, reason: 'support case' }).expect(202))
      .body;
    await t
      .as(third)
      .post(`/v1/tenants/setting-up/change-requests/${change.id}/approve`)
      .send({ contentHash: change.contentHash })
      .expect(200);
    expect(await inbox(login)).not.toContain(change.id);
    const before = await t.snapshot();
    const res = await t
      .as(login)
      .post(`/v1/tenants/setting-up/change-requests/${change.id}/approve`)
      .send({ contentHash: change.contentHash });
    expect(refusal(res)).toEqual({ status: 403, rule: 'client_person' });
    expect(await t.snapshot()).toEqual(before);
    expect((await op().get(`/v1/tenants/setting-up/options/${CRED}`).expect(200)).body.value).toBe(false);
    expect((await op().get(`/v1/tenants/setting-up/change-requests/${change.id}`).expect(200)).body.status).toBe('pending');
  });

  it("an operator's client admin does not complete a seal's quorum as the client", async () => {
    const seal = (await op2().post('/v1/tenants/setting-up/seals').send({ label: 'election', requiredApprovals: 2 }).expect(201)).body;
    await t.as(third).post(`/v1/tenants/setting-up/seals/${seal.id}/approve`).send({}).expect(200);
    expect(await inbox(login)).not.toContain(seal.id);
    const res = await t.as(login).post(`/v1/tenants/setting-up/seals/${seal.id}/approve`).send({});
    expect(refusal(res)).toEqual({ status: 403, rule: 'client_person' });
    expect((await op().get(`/v1/tenants/setting-up/seals/${seal.id}`).expect(200)).body.status).toBe('proposed');
  });

  it('once the client has a person of its own, that person consents to changes filed from then on', async () => {
    // The set-up admin may still invite: the tenant has no person of its own yet. The code goes to the invitee.
    await t
      .as(login)
      .post('/v1/tenants/setting-up/invitations')
      .send({ email: 'president@setting-up.example', name: 'President' })
      .expect(201);
    const president = (
      await t.http
        .post('/v1/invitations/redeem')
        .send({ code: outboxCode(t, 'president@setting-up.example') })
        .expect(201)
    ).body.token;
    const change = (await op2().put(`/v1/tenants/setting-up/options/${CRED}`).send({ value: true, reason: 'asked again' }).expect(202))
      .body;
    await t
      .as(third)
      .post(`/v1/tenants/setting-up/change-requests/${change.id}/approve`)
      .send({ contentHash: change.contentHash })
      .expect(200);
    expect(await inbox(president)).toContain(change.id);
    expect(await inbox(login)).not.toContain(change.id);
    await t
      .as(president)
      .post(`/v1/tenants/setting-up/change-requests/${change.id}/approve`)
      .send({ contentHash: change.contentHash })
      .expect(200);
    expect((await op().get(`/v1/tenants/setting-up/options/${CRED}`).expect(200)).body.value).toBe(true);
  });
});
