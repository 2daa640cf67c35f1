import { INTERNAL_ERROR_BODY, whileWritesFail } from '../support/failing-writes.js';
import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

/** A change whose audit event cannot be written is not made: 2xx means committed and audited. */
describe('audit write failure', () => {
  let t: TestApp;
  const op = () => t.as(OPERATOR_TOKEN);

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'alpha');
    await op().put('/v1/tenants/alpha/options/max_proxies').send({ value: 2, reason: 'initial value' }).expect(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const auditDown = { before: 'INSERT', table: 'audit_events', raise: `'audit storage unavailable: INSERT INTO audit_events refused'` };

  it('rolls back option changes, resets, tenants and principals when the audit insert fails', async () => {
    await whileWritesFail(t, auditDown, async () => {
      const before = await t.snapshot();
      const attempts = [
        op().put('/v1/tenants/alpha/options/max_proxies').send({ value: 5, reason: 'audit is down' }),
        op().delete('/v1/tenants/alpha/options/max_proxies').send({ reason: 'audit is down' }),
        op()
          .put('/v1/tenants/alpha/options/admin_can_view_credentials')
          .set('if-match', '"0"')
          .send({ value: true, reason: 'audit is down' }),
        op().post('/v1/tenants').send({ slug: 'gamma', name: 'Gamma', riskLevel: 1 }),
        op().post('/v1/principals').send({ name: 'auditor', role: 'compliance' }),
      ];
      for (const attempt of attempts) {
        const res = await attempt;
        expect(res.status).toBe(500);
        expect(res.body).toEqual(INTERNAL_ERROR_BODY);
        expect(res.text).not.toMatch(/audit_events|INSERT|trigger|plpgsql|\bat .+:\d+/i);
      }
      expect(await t.snapshot()).toEqual(before);
      const read = await op().get('/v1/tenants/alpha/options/max_proxies').expect(200);
      expect(read.body).toMatchObject({ value: 2, version: 1 });
    });
  });

  it('works again, audited, once the audit log accepts writes', async () => {
    const res = await op().put('/v1/tenants/alpha/options/max_proxies').send({ value: 5, reason: 'audit is back' }).expect(200);
    expect(res.body).toMatchObject({ value: 5, version: 2 });
    const events = (await op().get('/v1/tenants/alpha/audit?option=max_proxies').expect(200)).body.items;
    expect(events.map((e: { after: unknown; reason: string }) => [e.after, e.reason])).toEqual([
      [5, 'audit is back'],
      [2, 'initial value'],
    ]);
  });
});
