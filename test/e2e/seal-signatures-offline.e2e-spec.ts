import { AuditRecorder, auditPlaceholders } from '#audit';
import { SealStepsMarker } from '#tenancy/seal-steps.marker';
import { OPERATOR_TOKEN, createTenant, inviteClientAdmin, startTestApp, type TestApp } from '../support/test-app.js';
import { checkpointNow, exportText, publicKeyOf, setOption, verifyOffline, verifyOnline } from '../support/audit-helpers.js';

/**
 * The service refuses unsigned seal steps where signatures are required; offline verification
 * fails one written straight into the database, from the event in the tenant's chain that records
 * seal steps as included (`signedSealSteps`) on.
 */
describe('seal steps under required signatures, verified offline', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({ signedApprovalsFromRisk: 2 });
    key = await publicKeyOf(t);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  /** As someone holding the database: appends through the chain function (links recomputed). */
  const appendDirectly = (event: Parameters<AuditRecorder['prepare']>[0]) =>
    t.superuser(async (c) => {
      const rows = await c.query(`SELECT * FROM cloison_audit_append(${auditPlaceholders(0)})`, new AuditRecorder().prepare(event).args);
      return Number(rows.rows[0].event_tenant_seq);
    });

  it('an unsigned seal lift written into the database fails offline verification at that event', async () => {
    const tenant = await createTenant(t, 'polls', 2);
    const admin = await inviteClientAdmin(t, 'polls', 'Returning officer');
    const adminId = (await t.as(admin).get('/v1/me').expect(200)).body.id as string;
    const seal = (await t.as(OPERATOR_TOKEN).post('/v1/tenants/polls/seals').send({ label: 'ballot 2027' }).expect(201)).body;
    const seq = await appendDirectly({
      actor: { id: adminId, name: 'Returning officer', role: 'client_admin' },
      action: 'seal.lift_approved',
      tenantId: tenant.id,
      after: { id: seal.id },
      reason: 'results published',
    });
    // The service's next event in the tenant links after it, and its checkpoint covers it.
    await setOption(t, 'polls', 'retention_days', 120);
    await checkpointNow(t);
    expect(await verifyOnline(t, 'polls')).toMatchObject({ ok: true });
    const offline = await verifyOffline(await exportText(t, 'polls'), key);
    expect(offline).toMatchObject({ ok: false, firstBrokenSeq: seq });
    expect(offline.reason).toMatch(/seal .* \(seal\.lift\) is not signed, and its tenant requires signed approvals/);
  });

  it("a tenant's chain without the record gets it once at start; seal steps after it must be signed", async () => {
    const tenant = await createTenant(t, 'older', 1);
    // As a tenant raised before the record existed: the setting is on, its chain does not say seal steps are included.
    await t.superuser((c) => c.query('UPDATE tenants SET signed_approvals = true WHERE id = $1', [tenant.id]));
    const marker = t.app.get(SealStepsMarker);
    expect(await marker.mark()).toBe(1);
    expect(await marker.mark()).toBe(0);
    const events = (await t.as(OPERATOR_TOKEN).get('/v1/tenants/older/audit?action=tenant.signed_approvals_changed').expect(200)).body
      .items;
    expect(events).toEqual([expect.objectContaining({ actor: expect.objectContaining({ role: 'system' }) })]);
    const seal = (await t.as(OPERATOR_TOKEN).post('/v1/tenants/older/seals').send({ label: 'assembly' }).expect(201)).body;
    const ops = (await t.as(OPERATOR_TOKEN).get('/v1/me').expect(200)).body;
    const seq = await appendDirectly({
      actor: { id: ops.id, name: ops.name, role: 'operator' },
      action: 'seal.break_glass_approved',
      tenantId: tenant.id,
      after: { id: seal.id },
      reason: 'urgent',
    });
    await setOption(t, 'older', 'retention_days', 120);
    await checkpointNow(t);
    expect(await verifyOffline(await exportText(t, 'older'), key)).toMatchObject({ ok: false, firstBrokenSeq: seq });
  });
});
