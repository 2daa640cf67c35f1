import type pg from 'pg';
import { createTenant, startTestApp, type TestApp } from '../support/test-app.js';

// One PostgreSQL session per transaction: the embedded server runs one transaction at a time.
const withServer = process.env.DATABASE_URL ? describe : describe.skip;

/**
 * A transaction that writes option values, tenants or principals moves one slot of the evaluation
 * change counter (its trigger, slot = its transaction id mod 64) before it appends its audit event,
 * which takes the global audit head. A link run takes the global head first; when it links an
 * option change it moves the counter too. If the run moved the slot of its own transaction id, a
 * run and a writer whose ids share a slot would each wait for the other: PostgreSQL would end one
 * of them after a second, failing either the writer's request or every change waiting on the link
 * (answered 500 although committed). The run moves a slot of its own, which only the holder of the
 * global head ever takes.
 */
withServer('the audit link run and a transactional writer', () => {
  let t: TestApp;
  let tenantId: string;
  beforeAll(async () => {
    t = await startTestApp();
    tenantId = (await createTenant(t, 'alpha')).id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function session(): Promise<pg.PoolClient> {
    const c = await t.database.pool.connect();
    await c.query('BEGIN');
    await c.query('SET LOCAL ROLE NONE');
    await c.query("SELECT set_config('app.all_tenants', 'on', true)");
    return c;
  }

  it('never wait for each other, whatever slot the writer moved', async () => {
    // An option change committed and left for the link, as a direct change leaves it.
    await t.superuser((c) =>
      c.query(
        `SELECT * FROM cloison_audit_append_unlinked($1::uuid, now(), 'lock-order', 'lock order', 'operator', 'option.set',
           'max_proxies', '1'::jsonb, '2'::jsonb, '[]'::jsonb, 'lock order', 'lock-order', repeat('a', 64))`,
        [tenantId],
      ),
    );
    const linker = await session();
    const writer = await session();
    try {
      const { rows } = await linker.query<{ id: string }>('SELECT txid_current()::text AS id');
      const slot = Number(BigInt(rows[0]?.id ?? '0') % 64n);
      // The writer holds the slot the run's transaction id points at, as its trigger would…
      await writer.query('UPDATE evaluation_change_slots SET seq = seq + 1 WHERE slot = $1', [slot]);
      // …the run takes the global head and links the option change…
      const linking = linker.query('SELECT * FROM cloison_audit_link_visible()');
      await new Promise((r) => setTimeout(r, 200));
      // …and the writer, appending its event, waits for the global head.
      const appending = writer.query("SELECT seq FROM audit_heads WHERE chain = 'global' FOR UPDATE");
      const linked = await linking;
      expect(linked.rows[0]).toEqual(expect.objectContaining({ linked: 1 }));
      await linker.query('COMMIT');
      await expect(appending).resolves.toEqual(expect.objectContaining({ rowCount: 1 }));
      await writer.query('ROLLBACK');
    } finally {
      await linker.query('ROLLBACK').catch(() => undefined);
      await writer.query('ROLLBACK').catch(() => undefined);
      linker.release();
      writer.release();
    }
  });
});
