import { verifyOnline } from '../support/audit-helpers.js';
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
        t
          .as(OPERATOR_TOKEN)
          .put(path)
          .set('if-match', `"${version}"`)
          .send({ value: seeded ? 500 + i : 1 + (i % 9), reason: `writer ${i}` }),
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
      Array.from({ length: 10 }, (_, i) =>
        t
          .as(OPERATOR_TOKEN)
          .put(path)
          .send({ value: 10 + i, reason: `writer ${i}` }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.map((r) => r.body.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const events = (await t.as(OPERATOR_TOKEN).get('/v1/tenants/alpha/audit?option=results_publication_delay_minutes')).body.items;
    expect(events).toHaveLength(10);
    const seqs = (await t.superuser((c) => c.query('SELECT seq FROM audit_events ORDER BY seq'))).rows.map((r) => Number(r.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('concurrent direct changes of many tenants all succeed, linked into the global chain in each tenant order', async () => {
    const slugs = ['c-0', 'c-1', 'c-2', 'c-3', 'c-4', 'c-5'];
    for (const slug of slugs) await createTenant(t, slug, 1);
    for (let round = 0; round < 4; round++) {
      const results = await Promise.all(
        slugs.map((slug, i) =>
          t
            .as(OPERATOR_TOKEN)
            .put(`/v1/tenants/${slug}/options/retention_days`)
            .send({ value: 100 + round * 10 + i, reason: `round ${round}` }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(slugs.map(() => 200));
    }
    const rows = (await t.superuser((c) => c.query('SELECT seq, tenant_id, tenant_seq FROM audit_events ORDER BY seq'))).rows;
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
    const last = new Map<string, number>();
    for (const r of rows.filter((x) => x.tenant_id)) {
      expect(Number(r.tenant_seq)).toBe((last.get(r.tenant_id) ?? 0) + 1);
      last.set(r.tenant_id, Number(r.tenant_seq));
    }
    expect(await verifyOnline(t)).toMatchObject({ ok: true, checked: rows.length });
  });

  it('one transaction moves one row of the polled change counter, however many triggers it fires', async () => {
    // An upsert fires its INSERT and its UPDATE statement triggers: two rows moved in two orders by
    // two transactions would deadlock them.
    const slots = () =>
      t.superuser(async (c) => (await c.query('SELECT slot, seq::int AS seq FROM evaluation_change_slots ORDER BY slot')).rows);
    const tenant = (await t.as(OPERATOR_TOKEN).get('/v1/tenants/alpha').expect(200)).body.id as string;
    const before = await slots();
    await t.superuser((c) =>
      c.query(
        `INSERT INTO option_values (tenant_id, option_key, is_set, value, version, updated_at, updated_by_id, updated_by)
               VALUES ($1, 'results_publication_delay_minutes', true, '99', 11, now(), 'op', 'op')
               ON CONFLICT (tenant_id, option_key) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version`,
        [tenant],
      ),
    );
    const moved = (await slots()).filter((s, i) => s.seq !== before[i]?.seq);
    expect(moved).toHaveLength(1);
    const sum = (await t.superuser((c) => c.query('SELECT seq::int AS seq FROM evaluation_changes WHERE id = 1'))).rows[0].seq;
    expect(sum).toBe((await slots()).reduce((n, s) => n + s.seq, 0));
  });
});
