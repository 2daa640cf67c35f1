import { recoverOperator } from '#identity';
import {
  OPERATOR_TOKEN,
  OPERATOR_TOKEN_2,
  createTenant,
  outboxCode,
  sendInvitation,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

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
    // The views say so before anyone tries: the console offers only what the route takes.
    const seen = (await t.as(login).get(`/v1/tenants/setting-up/change-requests/${change.id}`).expect(200)).body;
    expect(seen.yourApproval).toEqual({ allowed: false, refusal: { rule: 'client_person', message: expect.any(String) } });
    const listed = (await t.as(login).get('/v1/tenants/setting-up/change-requests').expect(200)).body;
    expect(listed.find((r: { id: string }) => r.id === change.id).yourApproval.refusal.rule).toBe('client_person');
    expect((await op2().get(`/v1/tenants/setting-up/change-requests/${change.id}`).expect(200)).body.yourApproval.refusal.rule).toBe(
      'own_request',
    );
    expect((await op().get(`/v1/tenants/setting-up/change-requests/${change.id}`).expect(200)).body.yourApproval.refusal.rule).toBe(
      'approval_not_needed',
    );
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
    const steps = async (token: string) => (await t.as(token).get(`/v1/tenants/setting-up/seals/${seal.id}`).expect(200)).body.yourSteps;
    expect(await steps(login)).toEqual([
      { purpose: 'activate', allowed: false, refusal: { rule: 'client_person', message: expect.any(String) } },
    ]);
    expect((await steps(OPERATOR_TOKEN))[0].refusal.rule).toBe('approval_not_needed');
    expect((await steps(OPERATOR_TOKEN_2))[0].refusal.rule).toBe('own_seal');
  });

  it("an approval kept from before the rule shows as not the client's consent, with who made its author", async () => {
    const change = (await op2().put(`/v1/tenants/setting-up/options/${CRED}`).send({ value: true, reason: 'kept' }).expect(202)).body;
    const seal = (await op2().post('/v1/tenants/setting-up/seals').send({ label: 'kept', requiredApprovals: 3 }).expect(201)).body;
    const setup = (await t.as(login).get('/v1/me').expect(200)).body;
    const maker = (await op().get('/v1/me').expect(200)).body;
    // Recorded as the approval route took it before client consent was counted by person.
    await t.superuser((db) =>
      db.query(
        `INSERT INTO change_request_approvals (request_id, tenant_id, principal_id, principal_name, role, content_hash, approved_at)
       SELECT id, tenant_id, $2, $3, 'client_admin', content_hash, now() FROM change_requests WHERE id = $1`,
        [change.id, setup.id, setup.name],
      ),
    );
    await t.superuser((db) =>
      db.query(
        `INSERT INTO seal_approvals (seal_id, tenant_id, principal_id, principal_name, role, purpose, approved_at)
       SELECT id, tenant_id, $2, $3, 'client_admin', 'activate', now() FROM seals WHERE id = $1`,
        [seal.id, setup.id, setup.name],
      ),
    );
    const expected = { forClient: false, madeBy: { id: maker.id, name: maker.name } };
    const request = (await op().get(`/v1/tenants/setting-up/change-requests/${change.id}`).expect(200)).body;
    expect(request.approvals).toEqual([expect.objectContaining({ principal: { id: setup.id, name: setup.name }, ...expected })]);
    expect(request.status).toBe('pending');
    const sealed = (await op().get(`/v1/tenants/setting-up/seals/${seal.id}`).expect(200)).body;
    expect(sealed.approvals).toEqual([expect.objectContaining({ principal: { id: setup.id, name: setup.name }, ...expected })]);
    // The same across tenants: an operator's inbox names who made the client admin.
    const items = (await t.as(third).get('/v1/inbox').expect(200)).body.items as { request?: { id: string; approvals: unknown[] } }[];
    expect(items.find((i) => i.request?.id === change.id)?.request?.approvals).toEqual([expect.objectContaining(expected)]);
    // An operator's own approval is not a client admin's: it carries no maker.
    await t
      .as(third)
      .post(`/v1/tenants/setting-up/change-requests/${change.id}/approve`)
      .send({ contentHash: change.contentHash })
      .expect(200);
    const after = (await op().get(`/v1/tenants/setting-up/change-requests/${change.id}`).expect(200)).body;
    expect(after.approvals.find((a: { role: string }) => a.role === 'operator')).toMatchObject({ forClient: false, madeBy: null });
    await op2().post(`/v1/tenants/setting-up/change-requests/${change.id}/withdraw`).send({ reason: 'kept for the test' }).expect(200);
  });

  it('once the client has a person of its own, that person consents to changes filed from then on', async () => {
    // The set-up admin invites: the operator's login, so the invitation waits for another operator
    // (the tenant has no person of its own yet), then the code goes to the invitee.
    await sendInvitation(t, 'setting-up', { email: 'president@setting-up.example', name: 'President' }, { by: login });
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
