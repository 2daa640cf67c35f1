import { AuditRecorder, auditPlaceholders } from '#audit';
import type { ApprovalFinding, ApprovalStatement } from '#audit-format';
import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createTenant, inviteClientAdmin, startTestApp, type TestApp } from '../support/test-app.js';
import { checkpointNow, exportText, publicKeyOf, setOption, verifyOffline } from '../support/audit-helpers.js';
import { ed25519Key } from '../support/approval-keys.js';

const CRED = 'admin_can_view_credentials';

/**
 * An operator's key is enrolled in the global chain. A tenant's export alone must still check the
 * operator's signatures for that tenant: the key is introduced into the tenant's chain before it
 * first signs there, and its removal reaches that chain too.
 */
describe("operators' keys in a tenant's chain", () => {
  let t: TestApp;
  let key: string;
  let tenant: { id: string };
  let op2: string;
  const opKey = ed25519Key();

  beforeAll(async () => {
    t = await startTestApp({ signedApprovalsFromRisk: 2 });
    key = await publicKeyOf(t);
    tenant = await createTenant(t, 'union');
    await inviteClientAdmin(t, 'union');
    op2 = (await t.as(OPERATOR_TOKEN_2).get('/v1/me').expect(200)).body.id;
    await t
      .as(OPERATOR_TOKEN_2)
      .post('/v1/me/credentials')
      .send({ kind: 'ed25519', label: 'desk', publicKey: opKey.publicKeyPem })
      .expect(201);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  const request = async (value: boolean) =>
    (await t.as(OPERATOR_TOKEN).put(`/v1/tenants/union/options/${CRED}`).send({ value, reason: 'the client asked' }).expect(202)).body as {
      id: string;
      contentHash: string;
    };
  const statement = (id: string, contentHash: string): ApprovalStatement => ({
    action: 'change_request.approve',
    tenant: tenant.id,
    subject: id,
    contentHash,
    approver: op2,
    at: new Date().toISOString(),
  });
  const approveSigned = (cr: { id: string; contentHash: string }) =>
    t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/union/change-requests/${cr.id}/approve`)
      .send({ contentHash: cr.contentHash, signature: opKey.sign(statement(cr.id, cr.contentHash)) })
      .expect(200);
  const tenantEvents = async (action: string) =>
    (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/union/audit?action=${action}&limit=100`).expect(200)).body.items as {
      tenantSeq: number;
      actor: { id: string };
      after: { fingerprint?: string };
    }[];

  it('is introduced once, before its first signature in the tenant, and the tenant export alone checks it', async () => {
    await approveSigned(await request(true));
    const second = await request(true);
    await t.as(OPERATOR_TOKEN).post(`/v1/tenants/union/change-requests/${second.id}/withdraw`).send({ reason: 'duplicate' }).expect(200);
    await approveSigned(await request(true));
    const introduced = await tenantEvents('credential.introduced');
    expect(introduced).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ id: op2 }),
        after: expect.objectContaining({ fingerprint: opKey.fingerprint }),
      }),
    ]);
    const approved = await tenantEvents('change_request.approved');
    expect(Math.min(...approved.map((e) => e.tenantSeq))).toBeGreaterThan(introduced[0]!.tenantSeq);
    await checkpointNow(t);
    const offline = await verifyOffline(await exportText(t, 'union'), key);
    expect(offline).toMatchObject({ ok: true });
    const findings = (offline as unknown as { approvals: ApprovalFinding[] }).approvals.filter((a) => a.approver.id === op2);
    expect(findings.map((a) => [a.status, a.key])).toEqual([
      ['signed', opKey.fingerprint],
      ['signed', opKey.fingerprint],
    ]);
  });

  it("its removal reaches the tenant's chain: a signature by it written into the database afterwards fails the tenant export", async () => {
    const cr = await request(true);
    await t.as(OPERATOR_TOKEN_2).post('/v1/me/credentials/remove').send({ fingerprint: opKey.fingerprint }).expect(200);
    expect(await tenantEvents('credential.removed')).toEqual([
      expect.objectContaining({ after: expect.objectContaining({ fingerprint: opKey.fingerprint }) }),
    ]);
    // As someone holding the database: the approval appended through the chain function (links recomputed).
    const event = new AuditRecorder().prepare({
      actor: { id: op2, name: 'operator 2', role: 'operator' },
      action: 'change_request.approved',
      tenantId: tenant.id,
      after: { id: cr.id, contentHash: cr.contentHash, signature: opKey.sign(statement(cr.id, cr.contentHash)) },
    });
    const seq = await t.superuser(async (c) =>
      Number((await c.query(`SELECT * FROM cloison_audit_append(${auditPlaceholders(0)})`, event.args)).rows[0].event_tenant_seq),
    );
    await setOption(t, 'union', 'retention_days', 120);
    await checkpointNow(t);
    const offline = await verifyOffline(await exportText(t, 'union'), key);
    expect(offline).toMatchObject({ ok: false, firstBrokenSeq: seq });
    expect(offline.reason).toMatch(/removed earlier/);
  });
});
