import {
  parsePublicKey,
  sealContentHash,
  signedApprovalsContentHash,
  verifyExport,
  type ApprovalStatement,
  type SignedAction,
} from '#audit-format';
import {
  OPERATOR_TOKEN,
  OPERATOR_TOKEN_2,
  createPrincipal,
  createTenant,
  inviteClientAdmin,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';
import { checkpointNow, exportText, publicKeyOf } from '../support/audit-helpers.js';
import { ed25519Key } from '../support/approval-keys.js';

const CRED = 'admin_can_view_credentials';

/**
 * The tenant setting `signed_approvals` after creation: raised by an operator alone, lowered only
 * by the tenant's client admin with a signature (an operator alone only before the tenant has
 * one), each change in the tenant's chain and followed by offline verification; and seal steps
 * (approval, lift, break-glass) refused unsigned where the tenant requires signatures.
 */
describe('the signed-approvals setting, and seal steps under it', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const tenants: Record<string, { id: string }> = {};
  const keys = { client: ed25519Key(), op: ed25519Key(), op2: ed25519Key(), other: ed25519Key() };
  let client: string;
  let compliance: string;
  let otherClient: string;

  beforeAll(async () => {
    t = await startTestApp({ signedApprovalsFromRisk: 2 });
    tenants.low = await createTenant(t, 'low', 1);
    tenants.high = await createTenant(t, 'high', 3);
    tenants.fresh = await createTenant(t, 'fresh', 3);
    tenants.other = await createTenant(t, 'other', 1);
    client = await inviteClientAdmin(t, 'high');
    otherClient = await inviteClientAdmin(t, 'other');
    compliance = await createPrincipal(t, 'compliance');
    const enrol = async (token: string, key: { publicKeyPem: string }, label: string) => {
      await t.as(token).post('/v1/me/credentials').send({ kind: 'ed25519', label, publicKey: key.publicKeyPem }).expect(201);
      return (await t.as(token).get('/v1/me').expect(200)).body.id as string;
    };
    ids.client = await enrol(client, keys.client, 'president laptop');
    ids.op = await enrol(OPERATOR_TOKEN, keys.op, 'operator one');
    ids.op2 = await enrol(OPERATOR_TOKEN_2, keys.op2, 'operator two');
    ids.other = await enrol(otherClient, keys.other, 'other president');
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  const put = (token: string, slug: string, body: object) => t.as(token).put(`/v1/tenants/${slug}/signed-approvals`).send(body);
  const lowering = (slug: string, approver: string, reason: string, over: Partial<ApprovalStatement> = {}): ApprovalStatement => ({
    action: 'tenant.lower_signed_approvals',
    tenant: tenants[slug]?.id as string,
    subject: tenants[slug]?.id as string,
    contentHash: signedApprovalsContentHash(tenants[slug]?.id as string, false, reason),
    approver,
    at: new Date().toISOString(),
    ...over,
  });
  const setting = async (slug: string) =>
    (await t.superuser((c) => c.query('SELECT signed_approvals FROM tenants WHERE slug = $1', [slug]))).rows[0].signed_approvals;
  const events = async (slug: string) =>
    (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/${slug}/audit?action=tenant.signed_approvals_changed`).expect(200)).body.items as {
      actor: { id: string };
      before: unknown;
      after: Record<string, unknown>;
      reason: string;
    }[];

  it('an operator raises it alone: recorded in the tenant chain; from then on unsigned consent is refused', async () => {
    const raised = await put(OPERATOR_TOKEN, 'other', { required: true, reason: 'the client asked for signatures' }).expect(200);
    expect(raised.body).toMatchObject({ tenant: 'other', signedApprovals: true });
    expect(await setting('other')).toBe(true);
    const [event] = await events('other');
    expect(event).toMatchObject({
      actor: { id: ids.op },
      before: { signedApprovals: false },
      after: { id: tenants.other?.id, signedApprovals: true },
      reason: 'the client asked for signatures',
    });
    // Raising twice changes nothing: 409, and no second event.
    expect((await put(OPERATOR_TOKEN, 'other', { required: true, reason: 'again' })).status).toBe(409);
    expect(await events('other')).toHaveLength(1);
    const cr = (await t.as(OPERATOR_TOKEN).put(`/v1/tenants/other/options/${CRED}`).send({ value: true, reason: 'asked' }).expect(202))
      .body;
    const unsigned = await t
      .as(otherClient)
      .post(`/v1/tenants/other/change-requests/${cr.id}/approve`)
      .send({ contentHash: cr.contentHash });
    expect(unsigned.status).toBe(403);
    expect(unsigned.body.details[0].rule).toBe('signature_required');
  });

  it('an operator cannot lower it once the tenant has a client admin, signed or not; nothing changes', async () => {
    const before = await t.snapshot();
    const reason = 'fewer clicks';
    for (const body of [
      { required: false, reason },
      { required: false, reason, signature: keys.op.sign(lowering('high', ids.op as string, reason)) },
    ]) {
      const res = await put(OPERATOR_TOKEN, 'high', body);
      expect(res.status).toBe(403);
      expect(res.body.details[0].rule).toBe('client_consent');
    }
    expect((await put(compliance, 'high', { required: false, reason })).status).toBe(403);
    // Another tenant's client admin does not even see the tenant.
    expect((await put(otherClient, 'high', { required: false, reason })).status).toBe(404);
    expect(await t.snapshot()).toEqual(before);
  });

  it("the tenant's client admin lowers it only with a valid signature over the tenant, the value and the reason", async () => {
    const reason = 'our board signs on paper';
    const before = await t.snapshot();
    const refusals: [object, string][] = [
      [{ required: false, reason }, 'signature_required'],
      [
        { required: false, reason, signature: keys.client.sign(lowering('high', ids.client as string, 'another reason')) },
        'signature_valid',
      ],
      [
        {
          required: false,
          reason,
          signature: keys.client.sign(lowering('high', ids.client as string, reason, { tenant: tenants.other?.id })),
        },
        'signature_valid',
      ],
      [{ required: false, reason, signature: keys.other.sign(lowering('high', ids.client as string, reason)) }, 'signature_key'],
    ];
    for (const [body, rule] of refusals) {
      const res = await put(client, 'high', body);
      expect({ status: res.status, rule: res.body.details?.[0]?.rule }).toEqual({ status: 403, rule });
    }
    expect(await t.snapshot()).toEqual(before);
    const signature = keys.client.sign(lowering('high', ids.client as string, reason));
    const lowered = await put(client, 'high', { required: false, reason, signature }).expect(200);
    expect(lowered.body.signedApprovals).toBe(false);
    const [event] = await events('high');
    expect(event).toMatchObject({
      actor: { id: ids.client },
      after: { signedApprovals: false, signature: { key: keys.client.fingerprint } },
    });
    // Now an unsigned approval of a critical change counts again.
    const cr = (await t.as(OPERATOR_TOKEN).put(`/v1/tenants/high/options/${CRED}`).send({ value: true, reason: 'asked' }).expect(202)).body;
    await t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/high/change-requests/${cr.id}/approve`)
      .send({ contentHash: cr.contentHash })
      .expect(200);
    await t.as(client).post(`/v1/tenants/high/change-requests/${cr.id}/approve`).send({ contentHash: cr.contentHash }).expect(200);
    // The client admin raises it back alone.
    await put(client, 'high', { required: true, reason: 'back to signatures' }).expect(200);
  });

  it('before the tenant has a client admin, the operator setting it up lowers it alone, signed', async () => {
    const reason = 'set-up: the client signs on paper';
    expect((await put(OPERATOR_TOKEN, 'fresh', { required: false, reason })).status).toBe(403);
    const signature = keys.op.sign(lowering('fresh', ids.op as string, reason));
    await put(OPERATOR_TOKEN, 'fresh', { required: false, reason, signature }).expect(200);
    expect(await setting('fresh')).toBe(false);
  });

  it('the tenant exports verify offline, following each change; the lowering is reported as signed', async () => {
    await checkpointNow(t);
    const key = parsePublicKey(await publicKeyOf(t));
    const high = await verifyExport((await exportText(t, 'high')).split('\n'), key);
    expect(high.ok).toBe(true);
    expect(high.approvals.filter((a) => a.action === 'tenant.signed_approvals_changed')).toEqual([
      expect.objectContaining({ status: 'signed', key: keys.client.fingerprint, approver: expect.objectContaining({ id: ids.client }) }),
    ]);
    // The operator's key is enrolled in the global chain and introduced into the tenant's before it signed there.
    const fresh = await verifyExport((await exportText(t, 'fresh')).split('\n'), key);
    expect(fresh.ok).toBe(true);
    expect(fresh.approvals.find((a) => a.action === 'tenant.signed_approvals_changed')?.status).toBe('signed');
    const global = await verifyExport((await exportText(t)).split('\n'), key);
    expect(global.ok).toBe(true);
    expect(global.approvals.filter((a) => a.action === 'tenant.signed_approvals_changed').map((a) => a.status)).toEqual([
      'signed',
      'signed',
    ]);
    expect((await verifyExport((await exportText(t, 'other')).split('\n'), key)).ok).toBe(true);
  });

  it('where signatures are required, seal approvals, lifts and break-glass are refused unsigned and accepted signed', async () => {
    const sign = (key: ReturnType<typeof ed25519Key>, approver: string, seal: Seal, action: SignedAction, reason: string | null) =>
      key.sign({
        action,
        tenant: tenants.high?.id as string,
        subject: seal.id,
        approver,
        at: new Date().toISOString(),
        contentHash: sealContentHash(
          { tenantId: tenants.high?.id as string, id: seal.id, label: seal.label, requiredApprovals: seal.requiredApprovals },
          action === 'seal.approve' ? 'activate' : action === 'seal.lift' ? 'lift' : 'break_glass',
          reason,
        ),
      });
    type Seal = { id: string; label: string; requiredApprovals: number };
    const seal: Seal = (await t.as(OPERATOR_TOKEN).post('/v1/tenants/high/seals').send({ label: 'congress 2027' }).expect(201)).body;
    const path = `/v1/tenants/high/seals/${seal.id}`;
    for (const [token, body] of [
      [OPERATOR_TOKEN_2, {}],
      [client, {}],
    ] as const) {
      const res = await t.as(token).post(`${path}/approve`).send(body);
      expect({ status: res.status, rule: res.body.details?.[0]?.rule }).toEqual({ status: 403, rule: 'signature_required' });
    }
    await t
      .as(OPERATOR_TOKEN_2)
      .post(`${path}/approve`)
      .send({ signature: sign(keys.op2, ids.op2 as string, seal, 'seal.approve', null) })
      .expect(200);
    const active = await t
      .as(client)
      .post(`${path}/approve`)
      .send({ signature: sign(keys.client, ids.client as string, seal, 'seal.approve', null) })
      .expect(200);
    expect(active.body.status).toBe('active');

    const lift = await t.as(client).post(`${path}/lift`).send({ reason: 'round closed' });
    expect({ status: lift.status, rule: lift.body.details?.[0]?.rule }).toEqual({ status: 403, rule: 'signature_required' });
    const reason = 'results server down';
    const glass = await t.as(OPERATOR_TOKEN).post(`${path}/break-glass`).send({ reason });
    expect({ status: glass.status, rule: glass.body.details?.[0]?.rule }).toEqual({ status: 403, rule: 'signature_required' });
    await t
      .as(OPERATOR_TOKEN)
      .post(`${path}/break-glass`)
      .send({ reason, signature: sign(keys.op, ids.op as string, seal, 'seal.break_glass', reason) })
      .expect(200);
    const unsignedSecond = await t.as(OPERATOR_TOKEN_2).post(`${path}/break-glass`).send({ reason: 'confirmed' });
    expect(unsignedSecond.status).toBe(403);
    const broken = await t
      .as(OPERATOR_TOKEN_2)
      .post(`${path}/break-glass`)
      .send({ reason: 'confirmed', signature: sign(keys.op2, ids.op2 as string, seal, 'seal.break_glass', 'confirmed') })
      .expect(200);
    expect(broken.body).toMatchObject({ status: 'lifted', breakGlass: true });

    // Where signatures are not required, an unsigned seal approval still counts.
    const low: Seal = (await t.as(OPERATOR_TOKEN).post('/v1/tenants/low/seals').send({ label: 'assembly' }).expect(201)).body;
    await t.as(OPERATOR_TOKEN_2).post(`/v1/tenants/low/seals/${low.id}/approve`).send({}).expect(200);
  });
});
