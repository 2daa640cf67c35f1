import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import {
  OPERATOR_TOKEN,
  OPERATOR_TOKEN_2,
  createTenant,
  inviteClientAdmin,
  outboxCode,
  requestOperator,
  sendInvitation,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

const CRED = 'admin_can_view_credentials';

/** What one operator can do alone with every principal they can create: nothing that needs someone else. */
describe('approvals count people (lineage)', () => {
  let t: TestApp;
  let clientA: string;
  const op = () => t.as(OPERATOR_TOKEN);
  const actions = async (tenant: string) =>
    (await op().get(`/v1/tenants/${tenant}/audit?limit=200`).expect(200)).body.items.map((e: { action: string }) => e.action);
  // The inbox offers only what the caller's approval would count for.
  const inInbox = async (token: string, requestId: string) =>
    ((await t.as(token).get('/v1/inbox').expect(200)).body.items as { request?: { id: string } }[]).some(
      (i) => i.request?.id === requestId,
    );

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'tenant-a');
    await createTenant(t, 'tenant-b');
    await createTenant(t, 'tenant-z');
    clientA = await inviteClientAdmin(t, 'tenant-a', 'President A');
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('one operator cannot mint an operator or a client admin for a tenant that has one', async () => {
    const opx = await op().post('/v1/principals').send({ name: 'OPX', role: 'operator' }).expect(202);
    expect(opx.body).toMatchObject({ kind: 'operator', status: 'pending' });
    expect(opx.body).not.toHaveProperty('token');
    const cax = await op().post('/v1/principals').send({ name: 'CAX', role: 'client_admin', tenant: 'tenant-a' }).expect(409);
    expect(cax.body.details[0].rule).toBe('client_admin_by_invitation');
    // Its own request it cannot approve, nor collect before another person approved it.
    await op().post(`/v1/principal-requests/${opx.body.id}/approve`).send({}).expect(403);
    expect((await op().post(`/v1/principal-requests/${opx.body.id}/token`).send({}).expect(409)).body.details[0].rule).toBe('status');
  });

  it('a new operator: another person approves without getting the token; the requester collects it once', async () => {
    const req = await op().post('/v1/principals').send({ name: 'new colleague', role: 'operator' }).expect(202);
    const approved = await t.as(OPERATOR_TOKEN_2).post(`/v1/principal-requests/${req.body.id}/approve`).send({}).expect(200);
    expect(approved.body.status).toBe('approved');
    expect(approved.body).not.toHaveProperty('token');
    await t.as(OPERATOR_TOKEN_2).post(`/v1/principal-requests/${req.body.id}/token`).send({}).expect(404);
    const token = (await op().post(`/v1/principal-requests/${req.body.id}/token`).send({}).expect(201)).body;
    await t.as(token.token).get('/v1/tenants').expect(200);
    await op().post(`/v1/principal-requests/${req.body.id}/token`).send({}).expect(409);
    // It is the requester's person: it cannot approve the requester's changes, nor finds them in its inbox.
    const change = (await op().put('/v1/tenants/tenant-a/options/voter_list_export').send({ value: true, reason: 'export' }).expect(202))
      .body;
    expect(await inInbox(token.token, change.id)).toBe(false);
    expect(await inInbox(OPERATOR_TOKEN_2, change.id)).toBe(true);
    const refused = await t
      .as(token.token)
      .post(`/v1/tenants/tenant-a/change-requests/${change.id}/approve`)
      .send({ contentHash: change.contentHash })
      .expect(403);
    expect(refused.body.details[0].rule).toBe('lineage_differs_from_requester');
    await t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/tenant-a/change-requests/${change.id}/approve`)
      .send({ contentHash: change.contentHash })
      .expect(200);
  });

  it('sock puppets: a client admin minted by the requester does not consent for the client', async () => {
    // tenant-z has no client admin yet: an operator may still create one, but it is the operator's person.
    const cax = (await op().post('/v1/principals').send({ name: 'CAX', role: 'client_admin', tenant: 'tenant-z' }).expect(201)).body.token;
    const change = (await op().put(`/v1/tenants/tenant-z/options/${CRED}`).send({ value: true, reason: 'support case' }).expect(202)).body;
    await t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/tenant-z/change-requests/${change.id}/approve`)
      .send({ contentHash: change.contentHash })
      .expect(200);
    expect(await inInbox(cax, change.id)).toBe(false);
    const refused = await t
      .as(cax)
      .post(`/v1/tenants/tenant-z/change-requests/${change.id}/approve`)
      .send({ contentHash: change.contentHash })
      .expect(403);
    expect(refused.body.details[0].rule).toBe('lineage_differs_from_requester');
    expect(refused.body.message).toMatch(/lineage/);
    expect((await op().get(`/v1/tenants/tenant-z/options/${CRED}`).expect(200)).body.value).toBe(false);
  });

  it('an approver created after the request was filed does not count', async () => {
    const change = (await op().put(`/v1/tenants/tenant-a/options/${CRED}`).send({ value: true, reason: 'late approver' }).expect(202)).body;
    const late = await inviteClientAdmin(t, 'tenant-a', 'member who joined later');
    const refused = await t
      .as(late)
      .post(`/v1/tenants/tenant-a/change-requests/${change.id}/approve`)
      .send({ contentHash: change.contentHash })
      .expect(403);
    expect(refused.body.details[0].rule).toBe('approver_predates_request');
    await op().post(`/v1/tenants/tenant-a/change-requests/${change.id}/withdraw`).send({ reason: 'test done' }).expect(200);
  });

  it('a client admin approving a change that needs no client consent is refused and nothing is recorded', async () => {
    const change = (await op().put('/v1/tenants/tenant-a/options/admin_reopen_ballot').send({ value: true, reason: 'reopen' }).expect(202))
      .body;
    expect(change.required).toEqual({ operator: true, clientAdmin: false });
    const before = await t.snapshot();
    const res = await t
      .as(clientA)
      .post(`/v1/tenants/tenant-a/change-requests/${change.id}/approve`)
      .send({ contentHash: change.contentHash })
      .expect(409);
    expect(res.body.details[0].rule).toBe('approval_not_needed');
    expect(await t.snapshot()).toEqual(before);
  });

  it('the operators left must belong to two people: the other initial operator cannot be revoked', async () => {
    const me = (await t.as(OPERATOR_TOKEN_2).get('/v1/me').expect(200)).body;
    const res = await op()
      .post(`/v1/principals/${me.id ?? me.principal?.id}/revoke`)
      .send({})
      .expect(409);
    expect(res.body.details[0].rule).toBe('last_operator');
    const mine = await requestOperator(t, 'spare of the first');
    const spare = (await t.as(mine).get('/v1/me').expect(200)).body;
    await op()
      .post(`/v1/principals/${spare.id ?? spare.principal?.id}/revoke`)
      .send({})
      .expect(200);
  });

  it('invitations: the code goes to the invitee (outbox 0700/0600), once; changes to client admins need a client admin', async () => {
    const email = 'treasurer@tenant-a.example';
    const pending = await op().post('/v1/tenants/tenant-a/invitations').send({ email, name: 'Treasurer' }).expect(202);
    expect(pending.body).toMatchObject({ kind: 'invitation', status: 'pending', tenant: 'tenant-a' });
    await t.as(OPERATOR_TOKEN_2).post(`/v1/tenants/tenant-a/principal-requests/${pending.body.id}/approve`).send({}).expect(403);
    const approved = await t.as(clientA).post(`/v1/tenants/tenant-a/principal-requests/${pending.body.id}/approve`).send({}).expect(200);
    expect(approved.body).not.toHaveProperty('code');
    const dir = t.config.mail.outboxDir as string;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const file = readdirSync(dir).find((f) => f.endsWith(`-${email}.eml`)) as string;
    expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    const code = outboxCode(t, email);
    const redeemed = await t.http.post('/v1/invitations/redeem').send({ code }).expect(201);
    expect(redeemed.body).toMatchObject({ role: 'client_admin', tenant: 'tenant-a' });
    expect(redeemed.body.lineageId).toBe(redeemed.body.id);
    const again = await t.http.post('/v1/invitations/redeem').send({ code }).expect(409);
    expect(again.body.details[0].rule).toBe('already_redeemed');
    await t.http
      .post('/v1/invitations/redeem')
      .send({ code: `inv_${'A'.repeat(43)}` })
      .expect(404);
    const log = await actions('tenant-a');
    expect(log.slice(0, 6)).toEqual([
      'invitation.redeem_refused',
      'invitation.redeemed',
      'principal.created',
      'principal.request_approved',
      'invitation.created',
      'principal.requested',
    ]);

    // Revoking a client admin: an operator asks, a client admin of the tenant approves.
    const revoke = await op().post(`/v1/principals/${redeemed.body.id}/revoke`).send({}).expect(202);
    await t.as(redeemed.body.token).get('/v1/tenants/tenant-a/options').expect(200);
    await t.as(clientA).post(`/v1/tenants/tenant-a/principal-requests/${revoke.body.id}/approve`).send({}).expect(200);
    await t.as(redeemed.body.token).get('/v1/tenants/tenant-a/options').expect(401);
    expect((await actions('tenant-a')).slice(0, 3)).toEqual(['principal.request_approved', 'principal.revoked', 'principal.requested']);
  });

  it("GET /v1/tenants/:tenant/principals lists the tenant's people for its client admins and operators", async () => {
    const people = (await t.as(clientA).get('/v1/tenants/tenant-a/principals').expect(200)).body;
    expect(people.find((p: { name: string }) => p.name === 'Treasurer')).toMatchObject({
      role: 'client_admin',
      email: 'treasurer@tenant-a.example',
      invitedBy: 'bootstrap operator',
      revokedAt: expect.any(String),
    });
    await op().get('/v1/tenants/tenant-a/principals').expect(200);
    await t.as(clientA).get('/v1/tenants/tenant-b/principals').expect(404);
  });
});

describe('invitation delivery', () => {
  it('by SMTP: the mail carries the code, the answer does not', async () => {
    const mails: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, done) {
        let text = '';
        stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
        stream.on('end', () => {
          mails.push(text);
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    const t = await startTestApp({ mail: { smtpUrl: `smtp://127.0.0.1:${port}`, from: 'cloison@test.invalid' } });
    try {
      await createTenant(t, 'mailed');
      const sent = await sendInvitation(t, 'mailed', { email: 'office@mailed.example', name: 'Office' });
      expect(sent).toMatchObject({ kind: 'invitation', status: 'delivered' });
      expect(sent).not.toHaveProperty('code');
      const invitations = (await t.as(OPERATOR_TOKEN).get('/v1/tenants/mailed/audit?action=invitation.created').expect(200)).body.items;
      expect(invitations[0].after).toMatchObject({ delivery: 'smtp' });
      const code = /inv_[A-Za-z0-9_-]{43}/.exec(mails.join('\n'))?.[0] as string;
      expect(code).toBeDefined();
      await t.http.post('/v1/invitations/redeem').send({ code }).expect(201);
    } finally {
      await t.stop();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  }, 120_000);

  it('without SMTP or outbox the code is shown to the inviter and the invitee counts as the inviter', async () => {
    const t = await startTestApp({ mail: { from: 'cloison@test.invalid' } });
    try {
      await createTenant(t, 'shown');
      const sent = await t
        .as(OPERATOR_TOKEN)
        .post('/v1/tenants/shown/invitations')
        .send({ email: 'x@shown.example', name: 'X' })
        .expect(201);
      expect(sent.body).toMatchObject({ delivery: 'shown', code: expect.stringMatching(/^inv_/) });
      const admin = (await t.http.post('/v1/invitations/redeem').send({ code: sent.body.code }).expect(201)).body;
      const change = (
        await t.as(OPERATOR_TOKEN).put(`/v1/tenants/shown/options/${CRED}`).send({ value: true, reason: 'support case' }).expect(202)
      ).body;
      await t
        .as(OPERATOR_TOKEN_2)
        .post(`/v1/tenants/shown/change-requests/${change.id}/approve`)
        .send({ contentHash: change.contentHash })
        .expect(200);
      const refused = await t
        .as(admin.token)
        .post(`/v1/tenants/shown/change-requests/${change.id}/approve`)
        .send({ contentHash: change.contentHash })
        .expect(403);
      expect(refused.body.details[0].rule).toBe('lineage_differs_from_requester');
    } finally {
      await t.stop();
    }
  }, 120_000);
});
