import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { expectValuesAttested } from '../support/audit-helpers.js';

describe('explicit blast radius: tenant in the path, bulk changes over named tenants', () => {
  let t: TestApp;
  let op2: string;
  let clientA: string;
  const op = () => t.as(OPERATOR_TOKEN);

  beforeAll(async () => {
    t = await startTestApp();
    for (const slug of ['bulk-a', 'bulk-b', 'bulk-c']) await createTenant(t, slug);
    await createTenant(t, 'bulk-risky', 3);
    op2 = OPERATOR_TOKEN_2;
    clientA = await createPrincipal(t, 'client_admin', 'bulk-a');
    await op().put('/v1/tenants/bulk-b/options/retention_days').send({ value: 730, reason: 'longer retention' }).expect(200);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  const value = async (tenant: string, key: string) => (await op().get(`/v1/tenants/${tenant}/options/${key}`).expect(200)).body.value;
  const body = { option: 'retention_days', operation: 'set', value: 400, tenants: ['bulk-b', 'bulk-a'], reason: 'harmonise retention' };

  it('a body naming another tenant than the path answers 409 and writes nothing', async () => {
    const before = await t.snapshot();
    const res = await op()
      .put('/v1/tenants/bulk-a/options/ui_language')
      .send({ value: 'en', reason: 'english', tenant: 'bulk-b' })
      .expect(409);
    expect(res.body.details[0]).toMatchObject({ pointer: '/tenant', rule: 'tenant_mismatch' });
    await op().delete('/v1/tenants/bulk-a/options/ui_language').send({ reason: 'english', tenant: 'bulk-b' }).expect(409);
    expect(await t.snapshot()).toEqual(before);
    await op().put('/v1/tenants/bulk-a/options/ui_language').send({ value: 'en', reason: 'english', tenant: 'bulk-a' }).expect(200);
  });

  it('dry run lists each named tenant with its value before and after, and writes nothing', async () => {
    const before = await t.snapshot();
    const res = await op()
      .post('/v1/bulk-changes')
      .send({ ...body, dryRun: true })
      .expect(200);
    expect(res.body.tenants).toEqual([
      { tenant: 'bulk-a', version: 0, before: 365, after: 400, changes: true, needsApproval: false },
      { tenant: 'bulk-b', version: 1, before: 730, after: 400, changes: true, needsApproval: false },
    ]);
    expect(res.body.planHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await t.snapshot()).toEqual(before);
    const again = await op()
      .post('/v1/bulk-changes')
      .send({ ...body, dryRun: true })
      .expect(200);
    expect(again.body.planHash).toBe(res.body.planHash);
  });

  it('applying with a hash from before a change meanwhile answers 409 and writes nothing', async () => {
    const plan = (
      await op()
        .post('/v1/bulk-changes')
        .send({ ...body, dryRun: true })
        .expect(200)
    ).body;
    await op().put('/v1/tenants/bulk-a/options/retention_days').send({ value: 500, reason: 'meanwhile' }).expect(200);
    const before = await t.snapshot();
    const res = await op()
      .post('/v1/bulk-changes')
      .send({ ...body, planHash: plan.planHash })
      .expect(409);
    expect(res.body.details[0]).toMatchObject({ pointer: '/planHash', rule: 'plan_hash' });
    // The same hash with a different value is refused too: the hash covers the request.
    await op()
      .post('/v1/bulk-changes')
      .send({ ...body, value: 401, planHash: plan.planHash })
      .expect(409);
    expect(await t.snapshot()).toEqual(before);
  });

  it('applying with the dry run hash changes each tenant, audited per tenant', async () => {
    const plan = (
      await op()
        .post('/v1/bulk-changes')
        .send({ ...body, dryRun: true })
        .expect(200)
    ).body;
    const res = await op()
      .post('/v1/bulk-changes')
      .send({ ...body, planHash: plan.planHash })
      .expect(200);
    expect(res.body.results.map((r: { tenant: string; outcome: string }) => [r.tenant, r.outcome]).sort()).toEqual([
      ['bulk-a', 'applied'],
      ['bulk-b', 'applied'],
    ]);
    expect(await value('bulk-a', 'retention_days')).toBe(400);
    expect(await value('bulk-b', 'retention_days')).toBe(400);
    expect(await value('bulk-c', 'retention_days')).toBe(365);
    for (const tenant of ['bulk-a', 'bulk-b']) {
      const [latest] = (await op().get(`/v1/tenants/${tenant}/audit?limit=1`).expect(200)).body.items;
      expect(latest).toMatchObject({
        tenant,
        action: 'option.set',
        option: 'retention_days',
        after: 400,
        reason: `harmonise retention (bulk change ${res.body.bulkId})`,
      });
    }
    const cAudit = (await op().get('/v1/tenants/bulk-c/audit').expect(200)).body.items.map((e: { action: string }) => e.action);
    expect(cAudit).toEqual(['tenant.created']);
  });

  it('a bulk change still passes the gate: high options and risk level 3 tenants become pending requests', async () => {
    const high = {
      option: 'voter_list_export',
      operation: 'set',
      value: true,
      tenants: ['bulk-c', 'bulk-risky'],
      reason: 'export for the offices',
    };
    const plan = (
      await op()
        .post('/v1/bulk-changes')
        .send({ ...high, dryRun: true })
        .expect(200)
    ).body;
    expect(plan.tenants.every((x: { needsApproval: boolean }) => x.needsApproval)).toBe(true);
    const res = await op()
      .post('/v1/bulk-changes')
      .send({ ...high, planHash: plan.planHash })
      .expect(200);
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['pending', 'pending']);
    expect(await value('bulk-c', 'voter_list_export')).toBe(false);
    const req = res.body.results.find((r: { tenant: string }) => r.tenant === 'bulk-c').request;
    await t.as(op2).post(`/v1/tenants/bulk-c/change-requests/${req.id}/approve`).send({ contentHash: req.contentHash }).expect(200);
    expect(await value('bulk-c', 'voter_list_export')).toBe(true);
    expect(await value('bulk-risky', 'voter_list_export')).toBe(false);

    const low = { option: 'ui_language', operation: 'reset', tenants: ['bulk-risky', 'bulk-a'], reason: 'back to default' };
    const lowPlan = (
      await op()
        .post('/v1/bulk-changes')
        .send({ ...low, dryRun: true })
        .expect(200)
    ).body;
    const lowRes = await op()
      .post('/v1/bulk-changes')
      .send({ ...low, planHash: lowPlan.planHash })
      .expect(200);
    const outcomes = Object.fromEntries(lowRes.body.results.map((r: { tenant: string; outcome: string }) => [r.tenant, r.outcome]));
    expect(outcomes).toEqual({ 'bulk-a': 'applied', 'bulk-risky': 'unchanged' });
  });

  it('refuses critical options, unnamed or unknown tenants, missing hashes and other roles', async () => {
    const before = await t.snapshot();
    const crit = await op()
      .post('/v1/bulk-changes')
      .send({ option: 'admin_can_view_credentials', operation: 'set', value: true, tenants: ['bulk-a'], reason: 'nope', dryRun: true })
      .expect(400);
    expect(crit.body.details[0]).toMatchObject({ pointer: '/option', rule: 'critical_not_bulk' });
    await op()
      .post('/v1/bulk-changes')
      .send({ option: 'admin_mfa', operation: 'reset', tenants: ['bulk-a'], reason: 'nope', planHash: 'a'.repeat(64) })
      .expect(400);
    const none = await op()
      .post('/v1/bulk-changes')
      .send({ ...body, tenants: [], dryRun: true })
      .expect(400);
    expect(none.body.details[0]).toMatchObject({ pointer: '/tenants', rule: 'minItems' });
    const star = await op()
      .post('/v1/bulk-changes')
      .send({ ...body, tenants: '*', dryRun: true })
      .expect(400);
    expect(star.body.details[0]).toMatchObject({ pointer: '/tenants', rule: 'type' });
    const unknown = await op()
      .post('/v1/bulk-changes')
      .send({ ...body, tenants: ['bulk-a', 'all'], dryRun: true })
      .expect(404);
    expect(unknown.body.details[0]).toMatchObject({ pointer: '/tenants/1', rule: 'exists' });
    const noHash = await op().post('/v1/bulk-changes').send(body).expect(400);
    expect(noHash.body.details.map((d: { pointer: string }) => d.pointer)).toContain('/planHash');
    const bad = await op()
      .post('/v1/bulk-changes')
      .send({ ...body, value: 5, dryRun: true })
      .expect(400);
    expect(bad.body.details[0]).toMatchObject({ pointer: '/value', rule: 'minimum' });
    await t
      .as(clientA)
      .post('/v1/bulk-changes')
      .send({ ...body, dryRun: true })
      .expect(403);
    expect(await t.snapshot()).toEqual(before);
  });

  it('stored values agree with the audit chains after bulk changes, online and offline', async () => {
    await expectValuesAttested(t, 4);
  });
});
