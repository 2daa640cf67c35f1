import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

describe('optimistic concurrency', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'alpha');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.each([
    ['an option that has a stored value', 'retention_days', true],
    ['an option still at its default (first write)', 'max_proxies', false],
  ])('20 concurrent PUTs with the same If-Match on %s → one 200, nineteen 412, one audit event', async (_, key, seeded) => {
    const path = `/v1/tenants/alpha/options/${key}`;
    if (seeded) await t.as(OPERATOR_TOKEN).put(path).send({ value: 400, reason: 'seed' }).expect(200);
    const { version } = (await t.as(OPERATOR_TOKEN).get(path).expect(200)).body;
    const auditBefore = (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/alpha/audit?option=${key}`)).body.items.length;

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.as(OPERATOR_TOKEN).put(path).set('if-match', `"${version}"`).send({ value: seeded ? 500 + i : 1 + (i % 9), reason: `writer ${i}` }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);

    const winner = results.find((r) => r.status === 200)!;
    const after = (await t.as(OPERATOR_TOKEN).get(path).expect(200)).body;
    expect(after).toMatchObject({ value: winner.body.value, version: version + 1 });
    const events = (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/alpha/audit?option=${key}`)).body.items;
    expect(events).toHaveLength(auditBefore + 1);
    expect(events[0]).toMatchObject({ after: winner.body.value });
  });

  it('concurrent writes without If-Match all succeed, each audited, versions dense', async () => {
    const path = '/v1/tenants/alpha/options/results_publication_delay_minutes';
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => t.as(OPERATOR_TOKEN).put(path).send({ value: 10 + i, reason: `writer ${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.map((r) => r.body.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const events = (await t.as(OPERATOR_TOKEN).get('/v1/tenants/alpha/audit?option=results_publication_delay_minutes')).body.items;
    expect(events).toHaveLength(10);
    const seqs = (await t.superuser((c) => c.query('SELECT seq FROM audit_events ORDER BY seq'))).rows.map((r) => Number(r.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});
