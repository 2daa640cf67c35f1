import pg from 'pg';
import { expectValuesAttested, verifyOnline } from '../support/audit-helpers.js';
import { INTERNAL_ERROR_BODY, whileWritesFail } from '../support/failing-writes.js';
import { lockWaiters } from '../support/lock-waits.js';
import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

const METRICS_TOKEN = 'scrape-token-for-batch-tests-0123456789';
const KEY = 'retention_days';
const TENANTS = 24;

/**
 * Direct changes that arrive together share one statement and one transaction
 * (`cloison_change_options`). Whatever they share, each request is answered for its own change
 * alone: applied and audited exactly as if it had been sent alone, or refused alone.
 */
describe('direct changes sent together', () => {
  let t: TestApp;
  const slugs = Array.from({ length: TENANTS }, (_, i) => `batch-${i}`);
  const ids = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestApp({ metricsToken: METRICS_TOKEN });
    for (const slug of slugs) ids.set(slug, (await createTenant(t, slug, 1)).id);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const statements = async (): Promise<Record<string, number>> => {
    const text = (await t.http.get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;
    const count = (kind: string) =>
      Number(new RegExp(`^cloison_option_change_statements_total\\{kind="${kind}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { alone: count('alone'), batch: count('batch'), refused: count('refused') };
  };
  const put = (slug: string, value: number, reason: string) =>
    t.as(OPERATOR_TOKEN).put(`/v1/tenants/${slug}/options/${KEY}`).send({ value, reason });
  /** Every tenant's events for KEY, oldest first: [before, after] pairs. */
  const history = async (slug: string) =>
    (
      await t.superuser((c) =>
        c.query('SELECT before, after, reason FROM audit_events WHERE tenant_id = $1 AND option_key = $2 ORDER BY tenant_seq', [
          ids.get(slug),
          KEY,
        ]),
      )
    ).rows as { before: number; after: number; reason: string }[];

  it('each change of a burst over many tenants is applied and audited once, as if alone, and the log verifies', async () => {
    const before = await statements();
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(slugs.map((slug, i) => put(slug, 100 + round * 100 + i, `round ${round}`)));
      expect(answers.map((a) => [a.status, a.body.value, a.body.version])).toEqual(
        slugs.map((_, i) => [200, 100 + round * 100 + i, round + 1]),
      );
    }
    const after = await statements();
    // The burst did share statements: fewer statements than changes.
    expect(after.batch - before.batch).toBeGreaterThan(0);
    expect(after.alone - before.alone + after.batch - before.batch).toBeLessThan(3 * TENANTS);

    for (const [i, slug] of slugs.entries()) {
      const events = await history(slug);
      expect(events.map((e) => [e.after, e.reason])).toEqual([0, 1, 2].map((r) => [100 + r * 100 + i, `round ${r}`]));
      expect(events.slice(1).map((e) => e.before)).toEqual(events.slice(0, -1).map((e) => e.after));
      const stored = (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/${slug}/options/${KEY}`).expect(200)).body;
      expect(stored).toMatchObject({ value: 300 + i, version: 3 });
    }
    expect((await verifyOnline(t)).ok).toBe(true);
    await expectValuesAttested(t, TENANTS);
  });

  it('a change the database refuses inside a shared statement fails alone: the others of the burst are applied and audited', async () => {
    const victim = slugs[5] as string;
    const stored = async (slug: string) => (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/${slug}/options/${KEY}`).expect(200)).body;
    const victimBefore = await stored(victim);
    const eventsBefore = (await history(victim)).length;
    const before = await statements();
    let refusedBatches = 0;
    let rounds = 0;
    // A burst forms a shared statement behind the first one sent; tried until one carried the victim.
    for (let round = 0; round < 5 && refusedBatches === 0; round++, rounds++) {
      const answers = await whileWritesFail(
        t,
        {
          before: 'UPDATE',
          table: 'option_values',
          when: `NEW.tenant_id = '${ids.get(victim)}'`,
          raise: `'storage refused %', NEW.option_key`,
        },
        () => Promise.all(slugs.map((slug, i) => put(slug, 1000 + round * 100 + i, `failing round ${round}`))),
      );
      for (const [i, a] of answers.entries()) {
        if (slugs[i] === victim) expect([a.status, a.body]).toEqual([500, INTERNAL_ERROR_BODY]);
        else expect([a.status, a.body.value]).toEqual([200, 1000 + round * 100 + i]);
      }
      refusedBatches = (await statements()).refused - before.refused;
    }
    expect(refusedBatches).toBeGreaterThan(0);
    // Nothing of the refused change is stored or logged; every other change is, once.
    expect(await stored(victim)).toEqual(victimBefore);
    expect(await history(victim)).toHaveLength(eventsBefore);
    for (const slug of slugs.filter((s) => s !== victim)) {
      expect((await history(slug)).map((e) => e.reason)).toEqual([
        ...[0, 1, 2].map((r) => `round ${r}`),
        ...Array.from({ length: rounds }, (_, r) => `failing round ${r}`),
      ]);
    }
    expect((await verifyOnline(t)).ok).toBe(true);
    await expectValuesAttested(t, TENANTS);
  });

  // Two statements at once need two database sessions: PostgreSQL only (the embedded database has one).
  (process.env.DATABASE_URL ? it : it.skip)(
    "a change stuck on a lock holds back no other tenant's: past the stall time, the next statement runs beside it",
    async () => {
      const [stuck, ...others] = slugs.slice(10, 15) as [string, ...string[]];
      await put(stuck, 600, 'a row to hold').expect(200);
      const db = new pg.Client({ connectionString: t.config.databaseUrl });
      await db.connect();
      const deadline = (ms: number) =>
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not answered within ${ms} ms`)), ms));
      try {
        await db.query('BEGIN');
        await db.query('SELECT 1 FROM option_values WHERE tenant_id = $1 AND option_key = $2 FOR UPDATE', [ids.get(stuck), KEY]);
        const answered: string[] = [];
        const send = (slug: string, value: number, reason: string) => put(slug, value, reason).then((a) => (answered.push(reason), a));
        const held = send(stuck, 601, 'held');
        await lockWaiters(db, 1);
        // A second change of the stuck tenant waits for the first, and is never sent beside the others.
        const second = send(stuck, 602, 'held too');
        const answers = await Promise.race([
          Promise.all(others.map((slug, i) => put(slug, 700 + i, 'beside a stuck one'))),
          deadline(20_000),
        ]);
        expect(answers.map((a) => a.status)).toEqual(others.map(() => 200));
        expect(answered).toEqual([]);
        await db.query('COMMIT');
        expect((await held).status).toBe(200);
        expect((await second).status).toBe(200);
        expect(answered).toEqual(['held', 'held too']);
      } finally {
        await db.query('ROLLBACK').catch(() => undefined);
        await db.end();
      }
    },
  );
});
