import { readdirSync } from 'node:fs';
import {
  OPERATOR_TOKEN,
  OPERATOR_TOKEN_2,
  createTenant,
  outboxCode,
  requestOperator,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

/**
 * The client's first person. Whoever redeems an invitation mailed to them acts for the client
 * (consents, approves seals and the client's people), and the inviter chooses the address. So one
 * operator, with every login and client admin they can make, cannot bring that person in alone:
 * the invitation waits for another operator (another person), and once the tenant has a client
 * admin, for the client. Otherwise an operator could invite "a deputy president" at their own
 * mailbox and consent for the client.
 */
describe('the first client admin of a tenant needs a second person at the vendor', () => {
  let t: TestApp;
  const op = () => t.as(OPERATOR_TOKEN);
  const mailsTo = (email: string) => readdirSync(t.config.mail.outboxDir as string).filter((f) => f.endsWith(`-${email}.eml`));
  /** The ids of the principal requests in `token`'s inbox. */
  const inbox = async (token: string) =>
    ((await t.as(token).get('/v1/inbox').expect(200)).body.items as { kind: string; request: { id: string } }[])
      .filter((i) => i.kind === 'principal_request')
      .map((i) => i.request.id);
  const approve = (token: string, id: string) => t.as(token).post(`/v1/tenants/beta/principal-requests/${id}/approve`).send({});
  const invite = (token: string, email: string, name: string) => t.as(token).post('/v1/tenants/beta/invitations').send({ email, name });

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'beta', 1);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it("one operator's invitation, to any address, is sent only once another operator approved it", async () => {
    const own = await invite(OPERATOR_TOKEN, 'op1.private@mailbox.example', 'Deputy president').expect(202);
    expect(own.body).toMatchObject({ kind: 'invitation', status: 'pending', tenant: 'beta' });
    expect(mailsTo('op1.private@mailbox.example')).toEqual([]);

    // Every principal the operator can make is the operator's person: none of them approves.
    const login = await requestOperator(t, 'second login of operator one');
    const made = (await op().post('/v1/principals').send({ name: 'set-up admin', role: 'client_admin', tenant: 'beta' }).expect(201)).body
      .token as string;
    expect((await approve(OPERATOR_TOKEN, own.body.id).expect(403)).body.message).toMatch(/own request/);
    expect((await approve(login, own.body.id).expect(403)).body.details[0].rule).toBe('lineage_differs_from_requester');
    expect((await approve(made, own.body.id).expect(403)).body.message).toMatch(/another operator approves/);
    // Nor does a client admin the operator made send one alone.
    const byMade = await invite(made, 'op1.other@mailbox.example', 'Another deputy').expect(202);
    expect((await approve(login, byMade.body.id).expect(403)).body.details[0].rule).toBe('lineage_differs_from_requester');
    expect(mailsTo('op1.private@mailbox.example')).toEqual([]);
    expect(mailsTo('op1.other@mailbox.example')).toEqual([]);

    // The inbox offers each request to whoever may decide it, and to nobody else.
    expect(await inbox(OPERATOR_TOKEN_2)).toEqual(expect.arrayContaining([own.body.id, byMade.body.id]));
    expect(await inbox(OPERATOR_TOKEN)).toEqual([]);
    expect(await inbox(login)).toEqual([]);
    // The refusals changed nothing: the request is still pending, and the tenant has no client admin of its own.
    const pending = (await op().get('/v1/tenants/beta/principal-requests').expect(200)).body as { id: string; status: string }[];
    expect(pending.find((r) => r.id === own.body.id)?.status).toBe('pending');
  });

  it('a set-up client admin is revoked with another operator, while the client has no person of its own', async () => {
    const made = await op().post('/v1/principals').send({ name: 'temporary set-up', role: 'client_admin', tenant: 'beta' }).expect(201);
    const asked = await op().post(`/v1/principals/${made.body.id}/revoke`).send({}).expect(202);
    expect(asked.body).toMatchObject({ kind: 'revocation', status: 'pending' });
    expect((await approve(made.body.token, asked.body.id).expect(403)).body.message).toMatch(/another operator approves/);
    await approve(OPERATOR_TOKEN_2, asked.body.id).expect(200);
    await t.as(made.body.token).get('/v1/me').expect(401);
  });

  it('approved by the other operator, the code goes to the invitee, who then acts for the client', async () => {
    const sent = await invite(OPERATOR_TOKEN, 'president@beta.example', 'President').expect(202);
    const decided = await approve(OPERATOR_TOKEN_2, sent.body.id).expect(200);
    expect(decided.body).toMatchObject({ status: 'delivered', decidedBy: { name: expect.any(String) } });
    expect(decided.body.code).toBeUndefined();
    const president = (
      await t.http
        .post('/v1/invitations/redeem')
        .send({ code: outboxCode(t, 'president@beta.example') })
        .expect(201)
    ).body.token as string;

    // From now on the client decides who joins it: the operators' approval no longer suffices.
    const later = await invite(OPERATOR_TOKEN_2, 'treasurer@beta.example', 'Treasurer').expect(202);
    expect(await inbox(OPERATOR_TOKEN)).not.toContain(later.body.id);
    expect(await inbox(president)).toEqual([later.body.id]);
    expect((await approve(OPERATOR_TOKEN, later.body.id).expect(403)).body.message).toMatch(/client admins/);
    await approve(president, later.body.id).expect(200);
    // The president invites alone: the client's own person.
    await invite(president, 'secretary@beta.example', 'Secretary').expect(201);

    // An invitation filed before the client had a person no longer goes out: an operator's approval no longer
    // suffices, and the client's people came after it (the lineage rule). It stays pending; an operator invites again.
    const pending = (await op().get('/v1/tenants/beta/principal-requests').expect(200)).body as {
      id: string;
      name: string;
      status: string;
    }[];
    const deputy = pending.find((r) => r.name === 'Deputy president' && r.status === 'pending');
    expect(deputy).toBeDefined();
    await approve(OPERATOR_TOKEN_2, deputy?.id as string).expect(403);
    expect((await approve(president, deputy?.id as string).expect(403)).body.details[0].rule).toBe('approver_predates_request');
    expect(mailsTo('op1.private@mailbox.example')).toEqual([]);

    const events = (await op().get('/v1/tenants/beta/audit?limit=100').expect(200)).body.items as { action: string }[];
    const actions = events.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['principal.requested', 'principal.request_approved', 'invitation.created']));
  });
});
