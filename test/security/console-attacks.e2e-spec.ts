import { signedApprovalsContentHash } from '#audit-format';
import {
  OPERATOR_TOKEN,
  OPERATOR_TOKEN_2,
  createTenant,
  outboxCode,
  sendInvitation,
  startTestApp,
  cookieValue,
  setCookie,
  type TestApp,
} from '../support/test-app.js';
import { ed25519Key } from '../support/approval-keys.js';
import { consoleSignInConfig, authorizeAs, startOpenIdProvider, type OpenIdProvider } from '../console/support/openid-provider.js';
import { freePort } from '../support/free-port.js';
import { capturedLog } from '../support/captured-log.js';

/**
 * What one person at the vendor (an operator with every principal, invitation and token they can
 * create, and the service's own log) can do against console sign-in, invitations redeemed at the
 * identity provider and the signed-approvals setting.
 */
describe('console sign-in and client consent against one operator', () => {
  let t: TestApp;
  let idp: OpenIdProvider;
  let redirectUrl: string;
  const { logStream, lines: log } = capturedLog();

  beforeAll(async () => {
    redirectUrl = `http://localhost:${await freePort()}/v1/console/callback`;
    idp = await startOpenIdProvider([redirectUrl]);
    t = await startTestApp(
      {
        logLevel: 'info',
        signedApprovalsFromRisk: 2,
        ...consoleSignInConfig(idp.issuer, redirectUrl),
        consoleSession: { idleSeconds: 600, maxSeconds: 3600 },
      },
      { logStream },
    );
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await idp?.close();
  });

  /** The invitee's browser: starts the sign-in with the code, goes through the provider, calls back. */
  async function startWithInvitation(code: string) {
    const start = await t.http.get(`/v1/console/sign-in/${code}`).expect(302);
    return { pending: cookieValue(setCookie(start, 'cloison_sign_in')), auth: start.headers.location as string };
  }
  async function finish(started: { pending: string; auth: string }, login: string) {
    const back = new URL(await authorizeAs(started.auth, login, redirectUrl));
    return t.http.get(`/v1/console/callback${back.search}`).set('cookie', `cloison_sign_in=${started.pending}`);
  }
  const lineage = async (id: string) =>
    (await t.superuser((c) => c.query('SELECT lineage_id FROM principals WHERE id = $1', [id]))).rows[0]?.lineage_id as string;

  it("an invitation code on its way to the provider is not written to the service's log, nor is the callback's code", async () => {
    await createTenant(t, 'logged', 1);
    await sendInvitation(t, 'logged', { email: 'ines@logged.example', name: 'Ines' });
    const code = outboxCode(t, 'ines@logged.example');
    const started = await startWithInvitation(code);
    // Whoever runs the service reads its log: a code found there, redeemed before the invitee is
    // back from the provider, would be a client admin of its own person in the operator's hands.
    const leaked = log.some((l) => l.includes(code));
    const back = new URL(await authorizeAs(started.auth, 'ines', redirectUrl));
    const res = await t.http.get(`/v1/console/callback${back.search}`).set('cookie', `cloison_sign_in=${started.pending}`);
    expect(res.status).toBe(303);
    const authCode = back.searchParams.get('code') as string;
    expect({ leaked, authCodeLogged: log.some((l) => l.includes(authCode)) }).toEqual({ leaked: false, authCodeLogged: false });
    const sid = cookieValue(setCookie(res, 'cloison_session'));
    expect(log.some((l) => l.includes(sid))).toBe(false);
  });

  it('an account whose principal was revoked redeeming a new invitation at the provider gets a 4xx, not a 5xx', async () => {
    await createTenant(t, 'again', 1);
    const first = await t
      .as(OPERATOR_TOKEN)
      .post('/v1/principals')
      .send({ name: 'Jules', role: 'compliance', oidc: { subject: 'jules' } })
      .expect(201);
    await t.as(OPERATOR_TOKEN).post(`/v1/principals/${first.body.id}/revoke`).send({}).expect(200);
    await sendInvitation(t, 'again', { email: 'jules@again.example', name: 'Jules' });
    const res = await finish(await startWithInvitation(outboxCode(t, 'jules@again.example')), 'jules');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  describe('a client admin the operator created before the client joined (the operator holds its token)', () => {
    let puppet: string;
    let puppetId: string;
    const key = ed25519Key();
    let tenantId: string;

    beforeAll(async () => {
      tenantId = (await createTenant(t, 'onboarded', 3)).id;
      const made = await t
        .as(OPERATOR_TOKEN)
        .post('/v1/principals')
        .send({ name: 'Setup admin', role: 'client_admin', tenant: 'onboarded' });
      expect(made.status).toBe(201);
      puppet = made.body.token;
      puppetId = made.body.id;
      // The client's own president joins afterwards, by invitation: the set-up admin sends it, and
      // (the operator's login, not another person) it waits for the second operator: its own person.
      await sendInvitation(t, 'onboarded', { email: 'president@onboarded.example', name: 'President' }, { by: puppet });
      const president = await t.http
        .post('/v1/invitations/redeem')
        .send({ code: outboxCode(t, 'president@onboarded.example') })
        .expect(201);
      expect(await lineage(president.body.id)).toBe(president.body.id);
      expect(await lineage(puppetId)).not.toBe(puppetId);
      await t.as(puppet).post('/v1/me/credentials').send({ kind: 'ed25519', label: 'setup', publicKey: key.publicKeyPem });
    });

    it("cannot stop the tenant requiring signed approvals: that is the client's consent", async () => {
      const reason = 'signatures slow us down';
      const at = new Date().toISOString();
      const signature = key.sign({
        action: 'tenant.lower_signed_approvals',
        tenant: tenantId,
        subject: tenantId,
        contentHash: signedApprovalsContentHash(tenantId, false, reason),
        approver: puppetId,
        at,
      });
      const res = await t.as(puppet).put('/v1/tenants/onboarded/signed-approvals').send({ required: false, reason, signature });
      expect(res.status).toBe(403);
      const still = (await t.superuser((c) => c.query("SELECT signed_approvals FROM tenants WHERE slug = 'onboarded'"))).rows[0];
      expect(still.signed_approvals).toBe(true);
    });

    it('cannot add a client admin alone once the client has one (a code mailed to the operator would be a person of its own)', async () => {
      const res = await t
        .as(puppet)
        .post('/v1/tenants/onboarded/invitations')
        .send({ email: 'second-self@operator.example', name: 'Another admin' });
      expect(res.status).toBe(202);
    });

    it("does not consent for the client to another operator's change of its client admins", async () => {
      const filed = await t
        .as(OPERATOR_TOKEN_2)
        .post('/v1/tenants/onboarded/invitations')
        .send({ email: 'friend-of-two@operator.example', name: 'Friend' });
      expect(filed.status).toBe(202);
      const res = await t.as(puppet).post(`/v1/tenants/onboarded/principal-requests/${filed.body.id}/approve`).send({});
      expect({ status: res.status, rule: res.body.details?.[0]?.rule }).toEqual({ status: 403, rule: 'client_person' });
    });
  });
});
