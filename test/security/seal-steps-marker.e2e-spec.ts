import { setTimeout as sleep } from 'node:timers/promises';
import { AuditRecorder, auditPlaceholders } from '#audit';
import { SealStepsMarker } from '#tenancy/seal-steps.marker';
import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

/** Two sessions at once: only a PostgreSQL server has them (the embedded database has one). */
const withServer = process.env.DATABASE_URL ? describe : describe.skip;

/**
 * The record that seal steps need signatures (`signedSealSteps`) is written at start by one instance
 * while another serves: it must never follow, in the tenant's chain, a lowering of the setting that
 * committed meanwhile (the chain would then say signatures are required where the service takes
 * unsigned approvals, and fail the client's own unsigned consent offline).
 */
withServer('the seal-steps record written at start, against a lowering committed meanwhile', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('does not record signatures as required after the setting was lowered', async () => {
    const tenant = await createTenant(t, 'lowering', 1);
    // As a tenant raised before the record existed: the setting is on, its chain does not say seal steps are included.
    await t.superuser((c) => c.query('UPDATE tenants SET signed_approvals = true WHERE id = $1', [tenant.id]));
    const marker = t.app.get(SealStepsMarker);
    let marking: Promise<number> | undefined;
    // The other instance's lowering: the setting and its event, committed while the marker runs.
    await t.superuser(async (c) => {
      await c.query('UPDATE tenants SET signed_approvals = false WHERE id = $1', [tenant.id]);
      const lowering = new AuditRecorder().prepare({
        actor: { id: '00000000-0000-4000-8000-000000000001', name: 'client admin', role: 'client_admin' },
        action: 'tenant.signed_approvals_changed',
        tenantId: tenant.id,
        before: { signedApprovals: true },
        after: { id: tenant.id, signedApprovals: false },
        reason: 'the client stops requiring signatures',
      });
      await c.query(`SELECT * FROM cloison_audit_append(${auditPlaceholders(0)})`, lowering.args);
      marking = marker.mark();
      marking.catch(() => undefined);
      await sleep(500);
    });
    await marking;
    const events = (await t.as(OPERATOR_TOKEN).get('/v1/tenants/lowering/audit?action=tenant.signed_approvals_changed').expect(200)).body
      .items as { after: { signedApprovals: boolean }; tenantSeq: number }[];
    const last = events.reduce((a, b) => (b.tenantSeq > a.tenantSeq ? b : a));
    expect(last.after.signedApprovals).toBe(false);
    expect(events).toHaveLength(1);
  });
});
