import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { expectValuesAttested } from '../support/audit-helpers.js';

/**
 * The foundation story: an operator sets options for one client; the other client's effective
 * configuration, versions and audit do not move; each client admin sees only its own tenant.
 */
describe('tenant isolation story', () => {
  let t: TestApp;
  let adminA: string, adminB: string, serviceA: string, serviceB: string, compliance: string, op2: string;
  const op = () => t.as(OPERATOR_TOKEN);
  /** A critical change applies after a second operator and the client's own admin approve it. */
  const approveCritical = async (tenant: string, request: { id: string; contentHash: string }) => {
    const path = `/v1/tenants/${tenant}/change-requests/${request.id}/approve`;
    await t.as(op2).post(path).send({ contentHash: request.contentHash }).expect(200);
    const done = await t.as(adminA).post(path).send({ contentHash: request.contentHash }).expect(200);
    expect(done.body.status).toBe('applied');
  };

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'federation-abroad', 3);
    await createTenant(t, 'teachers-union', 2);
    adminA = await createPrincipal(t, 'client_admin', 'federation-abroad', 'President A');
    adminB = await createPrincipal(t, 'client_admin', 'teachers-union', 'President B');
    serviceA = await createPrincipal(t, 'service', 'federation-abroad');
    serviceB = await createPrincipal(t, 'service', 'teachers-union');
    compliance = await createPrincipal(t, 'compliance');
    op2 = OPERATOR_TOKEN_2;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('starts every tenant at the registry defaults, critical options at their safe value', async () => {
    const registry = (await op().get('/v1/registry').expect(200)).body as { key: string; default: unknown; safe?: unknown; risk: string }[];
    expect(registry.length).toBeGreaterThanOrEqual(15);
    const options = (await op().get('/v1/tenants/teachers-union/options').expect(200)).body as {
      key: string;
      value: unknown;
      source: string;
      version: number;
    }[];
    expect(options.map((o) => o.key).sort()).toEqual(registry.map((r) => r.key).sort());
    for (const o of options) {
      const def = registry.find((r) => r.key === o.key)!;
      expect(o).toMatchObject({ source: 'default', version: 0, value: def.default });
      if (def.risk === 'critical') expect(o.value).toEqual(def.safe);
    }
  });

  it("setting tenant A's critical option leaves tenant B's value, version and audit untouched", async () => {
    const bBefore = (await op().get('/v1/tenants/teachers-union/options').expect(200)).body;
    const bAuditBefore = (await op().get('/v1/tenants/teachers-union/audit').expect(200)).body.items;

    const res = await op()
      .put('/v1/tenants/federation-abroad/options/admin_can_view_credentials')
      .send({ value: true, reason: 'scrutineers need to check credential mailing (ticket 4711)' })
      .expect(202);
    expect(res.body).toMatchObject({ option: 'admin_can_view_credentials', value: true, status: 'pending' });
    await approveCritical('federation-abroad', res.body);
    const now = await op().get('/v1/tenants/federation-abroad/options/admin_can_view_credentials').expect(200);
    expect(now.body).toMatchObject({ key: 'admin_can_view_credentials', value: true, source: 'tenant', version: 1 });
    expect(now.headers.etag).toBe('"1"');

    expect((await op().get('/v1/tenants/teachers-union/options').expect(200)).body).toEqual(bBefore);
    expect((await op().get('/v1/tenants/teachers-union/audit').expect(200)).body.items).toEqual(bAuditBefore);
    const bOption = await t.as(adminB).get('/v1/tenants/teachers-union/options/admin_can_view_credentials').expect(200);
    expect(bOption.body).toMatchObject({ value: false, source: 'default', version: 0 });
  });

  it('records every change once with who, when, which tenant, before, after and reason', async () => {
    const events = (await op().get('/v1/tenants/federation-abroad/audit?option=admin_can_view_credentials&action=option.set').expect(200))
      .body.items;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      tenant: 'federation-abroad',
      action: 'option.set',
      option: 'admin_can_view_credentials',
      before: false,
      after: true,
      reason: expect.stringMatching(/^scrutineers need to check credential mailing \(ticket 4711\) \(change request [0-9a-f-]{36}\)$/),
      actor: { name: 'bootstrap operator', role: 'operator' },
    });
    // The request and each approval are on record too, in the same tenant's log.
    const all = (await op().get('/v1/tenants/federation-abroad/audit?option=admin_can_view_credentials').expect(200)).body.items;
    expect(all.map((e: { action: string }) => e.action)).toEqual([
      'change_request.applied',
      'option.set',
      'change_request.approved',
      'change_request.approved',
      'change_request.created',
    ]);
    expect(Date.parse(events[0].at)).toBeGreaterThan(Date.now() - 60_000);
    expect(events[0].requestId).toEqual(expect.any(String));
  });

  it("lets each client admin read its own organisation's options and history, and 404s the other", async () => {
    const own = await t.as(adminA).get('/v1/tenants/federation-abroad/options/admin_can_view_credentials').expect(200);
    expect(own.body.value).toBe(true);
    const history = await t.as(adminA).get('/v1/tenants/federation-abroad/audit').expect(200);
    expect(history.body.items.every((e: { tenant: string }) => e.tenant === 'federation-abroad')).toBe(true);

    for (const path of ['', '/options', '/options/admin_can_view_credentials', '/audit']) {
      const res = await t.as(adminB).get(`/v1/tenants/federation-abroad${path}`).expect(404);
      expect(JSON.stringify(res.body)).not.toContain('admin_can_view_credentials":true');
    }
  });

  it("never lets a service principal see another tenant's option (404), nor its own audit (403)", async () => {
    await t.as(serviceB).get('/v1/tenants/federation-abroad/options/admin_can_view_credentials').expect(404);
    await t.as(serviceB).get('/v1/tenants/federation-abroad/options').expect(404);
    await t.as(serviceB).get('/v1/tenants/federation-abroad/audit').expect(404);
    const own = await t.as(serviceA).get('/v1/tenants/federation-abroad/options/admin_can_view_credentials').expect(200);
    expect(own.body.value).toBe(true);
    await t.as(serviceA).get('/v1/tenants/federation-abroad/audit').expect(403);
  });

  it('forbids tenant-bound roles to write, even to their own tenant (403), and to a foreign one (404)', async () => {
    const body = { value: 'public', reason: 'trying' };
    await t.as(adminA).put('/v1/tenants/federation-abroad/options/ballot_secrecy').send(body).expect(403);
    await t.as(adminA).put('/v1/tenants/teachers-union/options/ballot_secrecy').send(body).expect(404);
    await t.as(serviceA).delete('/v1/tenants/federation-abroad/options/admin_can_view_credentials').send({ reason: 'x y z' }).expect(403);
    await t.as(compliance).put('/v1/tenants/federation-abroad/options/ballot_secrecy').send(body).expect(403);
  });

  it("lets the compliance reviewer read every tenant's change log, and no one else the global one", async () => {
    const all = (await t.as(compliance).get('/v1/audit?limit=500').expect(200)).body.items as { tenant: string | null; action: string }[];
    const tenants = new Set(all.map((e) => e.tenant));
    expect(tenants).toEqual(new Set(['federation-abroad', 'teachers-union', null]));
    expect(all.filter((e) => e.action === 'tenant.created')).toHaveLength(2);
    await t.as(adminA).get('/v1/audit').expect(403);
    await t.as(serviceA).get('/v1/audit').expect(403);
    const filtered = (await t.as(compliance).get('/v1/audit?tenant=teachers-union').expect(200)).body.items;
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((e: { tenant: string }) => e.tenant === 'teachers-union')).toBe(true);
  });

  it('resets an option to its default with a reason, audited, versions still increasing', async () => {
    const res = await op()
      .delete('/v1/tenants/federation-abroad/options/admin_can_view_credentials')
      .send({ reason: 'check finished' })
      .expect(202);
    expect(res.body).toMatchObject({ operation: 'reset', status: 'pending' });
    await approveCritical('federation-abroad', res.body);
    const now = await op().get('/v1/tenants/federation-abroad/options/admin_can_view_credentials').expect(200);
    expect(now.body).toMatchObject({ value: false, source: 'default', version: 2 });
    const events = (await op().get('/v1/tenants/federation-abroad/audit?option=admin_can_view_credentials').expect(200)).body.items.filter(
      (e: { action: string }) => e.action.startsWith('option.'),
    );
    expect(events.map((e: { action: string }) => e.action)).toEqual(['option.reset', 'option.set']);
    expect(events[0]).toMatchObject({ before: true, after: false, reason: expect.stringMatching(/^check finished \(change request /) });
  });

  it('writes nothing for a PUT that sets the value the option already has', async () => {
    const before = await t.snapshot();
    const res = await op().put('/v1/tenants/teachers-union/options/ballot_secrecy').send({ value: 'secret', reason: 'no-op' }).expect(200);
    expect(res.body).toMatchObject({ value: 'secret', source: 'default', version: 0 });
    await op().delete('/v1/tenants/teachers-union/options/ballot_secrecy').send({ reason: 'no-op' }).expect(200);
    expect(await t.snapshot()).toEqual(before);
  });

  it('pages through the audit log with a cursor, newest first', async () => {
    const first = (await t.as(compliance).get('/v1/audit?limit=2').expect(200)).body;
    expect(first.items).toHaveLength(2);
    expect(first.items[0].seq).toBeGreaterThan(first.items[1].seq);
    const second = (await t.as(compliance).get(`/v1/audit?limit=2&cursor=${first.nextCursor}`).expect(200)).body;
    expect(second.items[0].seq).toBeLessThan(first.items[1].seq);
  });

  it('creates principals whose tokens work once issued and are stored only hashed', async () => {
    const res = await op().post('/v1/principals').send({ name: 'Vote platform', role: 'service', tenant: 'teachers-union' }).expect(201);
    expect(res.body.token).toMatch(/^cln_/);
    await t.as(res.body.token).get('/v1/tenants/teachers-union/options/ballot_secrecy').expect(200);
    const rows = await t.superuser((c) => c.query('SELECT token_hash FROM principals WHERE id = $1', [res.body.id]));
    expect(rows.rows[0].token_hash).not.toContain(res.body.token);
    expect(rows.rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stored values agree with the audit chains, online and offline', async () => {
    await expectValuesAttested(t, 2);
  });
});
