import type pg from 'pg';
import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

type PlanNode = { 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] };

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/** The link function's search for unlinked events (its FOR … LOOP query) and its own settings, read from the database. */
async function linkSearch(c: pg.PoolClient): Promise<{ query: string; settings: string[] }> {
  const { rows } = await c.query<{ src: string; config: string[] | null }>(
    "SELECT prosrc AS src, proconfig AS config FROM pg_proc WHERE proname = 'cloison_audit_link_visible'",
  );
  const [fn] = rows;
  const query = fn?.src.match(/FOR r IN\s+([\s\S]+?)\s+LOOP/)?.[1];
  if (!fn || !query) throw new Error('cloison_audit_link_visible has no FOR … LOOP search');
  return { query, settings: fn.config ?? [] };
}

/**
 * Each link leaves the event's earlier, unlinked version behind until VACUUM removes it, with an
 * entry in the unlinked-events index and in the global position's index. A link run must search
 * the unlinked events through that index by a plain index scan, which marks a leftover's entry dead
 * the first time it meets it: a bitmap of every "no global position" entry visits each leftover on
 * every run, whose cost then grows with every change since the last VACUUM. Whatever the
 * statistics say, the function's own settings keep it to the index scan.
 */
describe('the audit link run searches only what is left to link', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'alpha');
    const op = t.as(OPERATOR_TOKEN);
    // Linked events, each leaving an unlinked version behind.
    for (let v = 1; v <= 40; v++) {
      await op
        .put('/v1/tenants/alpha/options/max_proxies')
        .send({ value: (v % 9) + 1, reason: 'leftovers' })
        .expect(200);
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('by an index scan of the unlinked-events index, under the function’s own settings, with fresh statistics', async () => {
    const plan = await t.superuser(async (c) => {
      await c.query('ANALYZE audit_events');
      const { query, settings } = await linkSearch(c);
      for (const s of settings) {
        const [name, value] = s.split(/=(.*)/s);
        await c.query('SELECT set_config($1, $2, true)', [name, value]);
      }
      const { rows } = await c.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${query}`);
      return nodes(rows[0]?.['QUERY PLAN'][0].Plan as PlanNode);
    });
    const scans = plan.filter((n) => n['Node Type'].includes('Scan'));
    expect(scans).toEqual([expect.objectContaining({ 'Node Type': 'Index Scan', 'Index Name': 'audit_events_unlinked_idx' })]);
  });

  it('and the search finds nothing left once every change is answered', async () => {
    const unlinked = await t.superuser(async (c) => {
      const { query } = await linkSearch(c);
      return (await c.query(query)).rowCount;
    });
    expect(unlinked).toBe(0);
  });
});
