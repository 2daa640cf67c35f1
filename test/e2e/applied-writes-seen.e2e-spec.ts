import { ChangeListener } from '#evaluation';
import { bulkChange } from '../support/bulk-change.js';
import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every path that applies a change (direct, an approved change request, a bulk change) drops what
 * the writing instance keeps of the tenant's values (REST option rows, OFREP snapshot) as the write
 * commits, in one place (the change gate's store): the next read on that instance sees the change at
 * once. The database's announcements are not heard during this test, so only that drop can make
 * the change visible; the first test shows that a change made without it stays unseen.
 */
describe('an applied change is seen by the next read on the same instance at once', () => {
  let t: TestApp;
  let service: string;
  const slug = 'seen-at-once';
  const op = () => t.as(OPERATOR_TOKEN);

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, slug, 1);
    service = await createPrincipal(t, 'service', slug);
    await op().put(`/v1/tenants/${slug}/options/retention_days`).send({ value: 400, reason: 'seed' }).expect(200);
    // From here on, the database's announcements (NOTIFY, or the embedded server's change counter) go unheard.
    const listener = t.app.get(ChangeListener);
    const apply = listener.apply.bind(listener);
    listener.valuesWritten = (tenantId: string) => apply(`values:${tenantId}`);
    listener.apply = () => undefined;
    (listener as unknown as { clearAll: () => void }).clearAll = () => undefined;
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** The option as a REST GET and an OFREP evaluation on this instance answer it. */
  const read = async (key: string) => {
    const rest = await op().get(`/v1/tenants/${slug}/options/${key}`).expect(200);
    const ofrep = await t.as(service).post(`/ofrep/v1/evaluate/flags/${key}`).send({}).expect(200);
    return { rest: rest.body.value, ofrep: ofrep.body.value };
  };

  it('a change the instance did not make itself stays unseen (nothing else drops the cached values here)', async () => {
    expect(await read('retention_days')).toEqual({ rest: 400, ofrep: 400 });
    await t.superuser((c) =>
      c.query(
        `UPDATE option_values SET value = '401', version = version + 1
          WHERE tenant_id = (SELECT id FROM tenants WHERE slug = $1) AND option_key = 'retention_days'`,
        [slug],
      ),
    );
    expect(await read('retention_days')).toEqual({ rest: 400, ofrep: 400 });
  });

  it('direct: a PUT', async () => {
    await read('retention_days');
    await op().put(`/v1/tenants/${slug}/options/retention_days`).send({ value: 500, reason: 'direct' }).expect(200);
    expect(await read('retention_days')).toEqual({ rest: 500, ofrep: 500 });
  });

  it('an approved change request', async () => {
    expect(await read('voter_list_export')).toEqual({ rest: false, ofrep: false });
    const filed = await op().put(`/v1/tenants/${slug}/options/voter_list_export`).send({ value: true, reason: 'export' }).expect(202);
    expect(await read('voter_list_export')).toEqual({ rest: false, ofrep: false });
    const approved = await t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/${slug}/change-requests/${filed.body.id}/approve`)
      .send({ contentHash: filed.body.contentHash })
      .expect(200);
    expect(approved.body.status).toBe('applied');
    expect(await read('voter_list_export')).toEqual({ rest: true, ofrep: true });
  });

  it('a bulk change', async () => {
    await read('retention_days');
    const body = { option: 'retention_days', operation: 'set', value: 600, tenants: [slug], reason: 'bulk' };
    await bulkChange(op(), body);
    expect(await read('retention_days')).toEqual({ rest: 600, ofrep: 600 });
  });
});
