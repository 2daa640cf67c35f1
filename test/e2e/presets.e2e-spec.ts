import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { expectValuesAttested } from '../support/audit-helpers.js';

describe('onboarding presets', () => {
  let t: TestApp;
  const op = () => t.as(OPERATOR_TOKEN);

  beforeAll(async () => {
    t = await startTestApp();
    // Another tenant with its own values: a preset never copies them.
    await createTenant(t, 'existing');
    await op().put('/v1/tenants/existing/options/retention_days').send({ value: 3000, reason: 'long retention' }).expect(200);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  const options = async (tenant: string) =>
    Object.fromEntries(
      (await op().get(`/v1/tenants/${tenant}/options`).expect(200)).body.map((o: { key: string; value: unknown }) => [o.key, o.value]),
    );

  it('a new tenant starts from a named preset: one audited event per option it sets, gated ones pending', async () => {
    const res = await op()
      .post('/v1/tenants')
      .send({ slug: 'cse-acme', name: 'CSE Acme', riskLevel: 2, preset: 'union-level-2', presetVersion: 1 })
      .expect(201);
    expect(res.body.preset).toMatchObject({ name: 'union-level-2', version: 1 });
    expect(res.body.preset.applied).toEqual(['results_publication_delay_minutes', 'retention_days']);
    expect(res.body.preset.pending.map((p: { option: string }) => p.option)).toEqual(['schedule_change']);
    expect(res.body.preset.unchanged).toEqual(
      expect.arrayContaining(['admin_can_view_credentials', 'admin_mfa', 'ballot_secrecy', 'max_proxies', 'proxy_mode', 'ui_language']),
    );
    const values = await options('cse-acme');
    expect(values).toMatchObject({
      retention_days: 730,
      results_publication_delay_minutes: 60,
      schedule_change: 'before_opening',
      admin_can_view_credentials: false,
    });

    const events = (await op().get('/v1/tenants/cse-acme/audit?limit=100').expect(200)).body.items.reverse();
    expect(events.map((e: { action: string }) => e.action)).toEqual([
      'tenant.created',
      'preset.applied',
      'preset.applied',
      'change_request.created',
    ]);
    expect(events[0].after.preset).toEqual({ name: 'union-level-2', version: 1 });
    expect(events[1]).toMatchObject({
      option: 'results_publication_delay_minutes',
      before: 0,
      after: 60,
      reason: 'preset union-level-2 v1',
    });
    expect(events.filter((e: { action: string }) => e.action === 'preset.applied').map((e: { option: string }) => e.option)).toEqual(
      res.body.preset.applied,
    );
  });

  it('a risk level 3 tenant gets every preset value as a pending change request', async () => {
    const res = await op()
      .post('/v1/tenants')
      .send({ slug: 'congress', name: 'Congress', riskLevel: 3, preset: 'congress-level-3' })
      .expect(201);
    expect(res.body.preset.applied).toEqual([]);
    expect(res.body.preset.pending.map((p: { option: string }) => p.option)).toEqual(['retention_days', 'vote_weights']);
    expect((await options('congress')).vote_weights).toBe(false);
    const clientAdmin = await createPrincipal(t, 'client_admin', 'congress');
    const req = res.body.preset.pending[1].request;
    const op2 = OPERATOR_TOKEN_2;
    // The change needs no client consent: a client admin's approval would decide nothing and is refused.
    const unneeded = await t
      .as(clientAdmin)
      .post(`/v1/tenants/congress/change-requests/${req.id}/approve`)
      .send({ contentHash: req.contentHash })
      .expect(409);
    expect(unneeded.body.details[0].rule).toBe('approval_not_needed');
    expect((await options('congress')).vote_weights).toBe(false);
    await t.as(op2).post(`/v1/tenants/congress/change-requests/${req.id}/approve`).send({ contentHash: req.contentHash }).expect(200);
    expect((await options('congress')).vote_weights).toBe(true);
  });

  it('unknown presets, stale versions and copying from a tenant are refused; nothing is written', async () => {
    const before = await t.snapshot();
    const unknown = await op().post('/v1/tenants').send({ slug: 'x1', name: 'X', riskLevel: 1, preset: 'no-such-preset' }).expect(422);
    expect(unknown.body.details[0]).toMatchObject({ pointer: '/preset', rule: 'exists' });
    const stale = await op()
      .post('/v1/tenants')
      .send({ slug: 'x2', name: 'X', riskLevel: 1, preset: 'union-level-2', presetVersion: 7 })
      .expect(409);
    expect(stale.body.details[0]).toMatchObject({ pointer: '/presetVersion', rule: 'preset_version' });
    const copy = await op().post('/v1/tenants').send({ slug: 'x3', name: 'X', riskLevel: 1, copyFrom: 'existing' }).expect(400);
    expect(copy.body.details[0]).toMatchObject({ pointer: '/copyFrom', rule: 'additionalProperties' });
    expect(await t.snapshot()).toEqual(before);
  });

  it('lists the catalog presets', async () => {
    const res = await op().get('/v1/presets').expect(200);
    expect(res.body.map((p: { name: string }) => p.name).sort()).toEqual(['association-level-1', 'congress-level-3', 'union-level-2']);
    await op().get('/v1/presets/association-level-1').expect(200);
    await op().get('/v1/presets/nope').expect(404);
  });

  it('stored values agree with the audit chains after presets, online and offline', async () => {
    await expectValuesAttested(t, 2);
  });
});
