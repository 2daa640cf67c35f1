import { OPERATOR_TOKEN, createPrincipal, createTenant, inviteClientAdmin, startTestApp, type TestApp } from '../support/test-app.js';

/** Finding events by words and by person: `q` on the audit routes, and the people who appear in the log. */
describe('audit search and the people in the log', () => {
  let t: TestApp;
  let clientA: string;
  let clientB: string;
  let compliance: string;
  const op = () => t.as(OPERATOR_TOKEN);

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'tenant-a');
    await createTenant(t, 'tenant-b');
    clientA = await inviteClientAdmin(t, 'tenant-a', 'President A');
    clientB = await inviteClientAdmin(t, 'tenant-b', 'President B');
    compliance = await createPrincipal(t, 'compliance', undefined, 'Reviewer');
    await op().put('/v1/tenants/tenant-a/options/retention_days').send({ value: 730, reason: 'Statutes article 12' }).expect(200);
    await op().put('/v1/tenants/tenant-b/options/retention_days').send({ value: 400, reason: 'board minutes' }).expect(200);
    const asked = await op()
      .put('/v1/tenants/tenant-b/options/ballot_secrecy')
      .send({ value: 'admin_visible', reason: 'support case' })
      .expect(202);
    await t
      .as(clientB)
      .post(`/v1/tenants/tenant-b/change-requests/${asked.body.id}/reject`)
      .send({ reason: 'we keep the ballot secret' })
      .expect(200);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  const reasons = (body: { items: { reason: string | null }[] }) => body.items.map((e) => e.reason);

  it('finds events by words of the reason, any case, within the caller’s tenants only', async () => {
    expect(reasons((await op().get('/v1/audit?q=STATUTES').expect(200)).body)).toEqual(['Statutes article 12']);
    expect(reasons((await t.as(clientB).get('/v1/tenants/tenant-b/audit?q=statutes').expect(200)).body)).toEqual([]);
    expect(reasons((await t.as(clientA).get('/v1/tenants/tenant-a/audit?q=statutes').expect(200)).body)).toEqual(['Statutes article 12']);
  });

  it('finds events by the person’s name and combines with the other filters', async () => {
    const byName = (await t.as(compliance).get('/v1/audit?q=president%20b').expect(200)).body.items as {
      actor: { name: string };
      action: string;
      reason: string | null;
      option: string | null;
    }[];
    expect(byName.map((e) => [e.actor.name, e.action])).toContainEqual(['President B', 'change_request.rejected']);
    // Each hit names the person as actor or in its words (an invitation's reason names the invitee).
    expect(byName.filter((e) => !/president b/i.test(`${e.actor.name} ${e.reason ?? ''}`))).toEqual([]);
    expect((await op().get('/v1/audit?q=president%20b&action=option.set').expect(200)).body.items).toEqual([]);
  });

  it('refuses an empty or overlong search naming the parameter, and changes nothing', async () => {
    const empty = await op().get('/v1/audit?q=').expect(400);
    expect(empty.body.details[0]).toMatchObject({ pointer: '/q', rule: 'minLength' });
    const long = await op()
      .get(`/v1/audit?q=${'x'.repeat(101)}`)
      .expect(400);
    expect(long.body.details[0]).toMatchObject({ pointer: '/q', rule: 'maxLength' });
  });

  it('lists the people who acted, by name and role, and only in the tenants the caller may read', async () => {
    const all = (await t.as(compliance).get('/v1/audit/actors').expect(200)).body as { id: string; name: string; role: string }[];
    expect(all.map((a) => a.name)).toEqual(expect.arrayContaining(['bootstrap operator', 'President B']));
    expect(all.find((a) => a.name === 'President B')?.role).toBe('client_admin');
    const inB = (await op().get('/v1/audit/actors?tenant=tenant-b').expect(200)).body.map((a: { name: string }) => a.name);
    expect(inB).toContain('President B');
    const ownA = (await t.as(clientA).get('/v1/tenants/tenant-a/audit/actors').expect(200)).body.map((a: { name: string }) => a.name);
    expect(ownA).not.toContain('President B');
    expect(ownA).toContain('bootstrap operator');
    // Another tenant's people: 404 as for anything of another tenant.
    await t.as(clientA).get('/v1/tenants/tenant-b/audit/actors').expect(404);
    await op().get('/v1/audit/actors?tenant=nowhere').expect(404);
    await op().get('/v1/audit/actors?who=x').expect(400);
  });
});
