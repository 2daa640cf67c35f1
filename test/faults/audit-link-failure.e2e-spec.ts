import type pg from 'pg';
import { AuditRecorder, auditPlaceholders } from '#audit';
import { exportText, publicKeyOf, verifyOffline, verifyOnline } from '../support/audit-helpers.js';
import { INTERNAL_ERROR_BODY, whileWritesFail } from '../support/failing-writes.js';
import { OPERATOR_TOKEN, createTenant, startTestApp, tempDir, type TestApp } from '../support/test-app.js';

/**
 * A direct option change commits with its event in the tenant's chain, then waits for the linker to
 * place the event in the global chain. A change whose link fails is not acknowledged (no 2xx); its
 * event is not lost: the next link run, or the next start after a crash between the two steps,
 * links it, and both chains verify from an export alone.
 */
describe('global audit link failure', () => {
  let t: TestApp;
  let alpha: { id: string; slug: string };
  const op = () => t.as(OPERATOR_TOKEN);
  const events = () =>
    t.superuser(
      async (c) =>
        (
          await c.query<{ seq: string | null; tenant_id: string | null; tenant_seq: string | null; after: unknown }>(
            'SELECT seq, tenant_id, tenant_seq, after FROM audit_events ORDER BY id',
          )
        ).rows,
    );
  const unlinked = async () => (await events()).filter((e) => e.seq === null);

  beforeAll(async () => {
    t = await startTestApp({ dataDir: process.env.DATABASE_URL ? undefined : tempDir('cloison-link-') });
    alpha = await createTenant(t, 'alpha');
    await createTenant(t, 'beta');
    await op().put('/v1/tenants/alpha/options/max_proxies').send({ value: 2, reason: 'initial value' }).expect(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  const linkDown = { before: 'UPDATE', table: 'audit_heads', when: `OLD.chain = 'global'`, raise: `'global chain head unavailable'` };

  it('does not acknowledge a change whose link fails; the next change links both, in order', async () => {
    await whileWritesFail(t, linkDown, async () => {
      const res = await op().put('/v1/tenants/alpha/options/max_proxies').send({ value: 3, reason: 'link is down' });
      expect(res.status).toBe(500);
      expect(res.body).toEqual(INTERNAL_ERROR_BODY);
      // Committed with its event, in the tenant's chain; not (yet) in the global chain.
      expect(await unlinked()).toEqual([expect.objectContaining({ tenant_id: alpha.id, tenant_seq: '3', after: 3 })]);
      expect((await op().get('/v1/tenants/alpha/options/max_proxies').expect(200)).body).toMatchObject({ value: 3, version: 2 });
      expect(await verifyOnline(t, 'alpha')).toMatchObject({ ok: true, checked: 3 });
      expect(await verifyOnline(t)).toMatchObject({ ok: true });
    });
    await op().put('/v1/tenants/beta/options/max_proxies').send({ value: 7, reason: 'link is back' }).expect(200);
    const all = await events();
    expect(await unlinked()).toEqual([]);
    expect(all.map((e) => Number(e.seq))).toEqual(all.map((_, i) => i + 1));
    // The stranded alpha event joins the global chain before beta's, which was appended after it.
    expect(all.slice(-2).map((e) => e.after)).toEqual([3, 7]);
    const key = await publicKeyOf(t);
    expect(await verifyOffline(await exportText(t), key)).toMatchObject({ ok: true, checked: all.length });
    expect(await verifyOffline(await exportText(t, 'alpha'), key)).toMatchObject({ ok: true, checked: 3 });
  });

  it('links at the next start a change committed by a process that died before linking it', async () => {
    // The statement a direct change commits first, sent as the service sends it; no link follows.
    const event = new AuditRecorder().prepare({
      actor: { id: 'op-1', name: 'operator', role: 'operator' },
      action: 'option.set',
      tenantId: alpha.id,
      optionKey: 'max_proxies',
      before: 3,
      after: 4,
      reason: 'crashed before its link',
    });
    await t.superuser(async (c: pg.PoolClient) => {
      const { rows: tenant } = await c.query('SELECT risk_level FROM tenants WHERE id = $1', [alpha.id]);
      await c.query(`SET LOCAL ROLE ${t.database.role.role}`);
      const sql = `SELECT * FROM cloison_change_option($1::uuid, $2::text, $3::integer, $4::integer, $5::boolean, $6::boolean, $7::jsonb, ${auditPlaceholders(7)})`;
      const { rows } = await c.query(sql, [alpha.id, 'max_proxies', tenant[0].risk_level, 2, true, true, '4', ...event.args]);
      expect(rows[0]).toMatchObject({ outcome: 'applied', version: 3 });
    });
    expect(await unlinked()).toHaveLength(1);
    t = await t.reboot();
    expect(await unlinked()).toEqual([]);
    const all = await events();
    expect(all.map((e) => Number(e.seq))).toEqual(all.map((_, i) => i + 1));
    expect(await verifyOnline(t)).toMatchObject({ ok: true, checked: all.length });
    expect(await verifyOffline(await exportText(t), await publicKeyOf(t))).toMatchObject({ ok: true, checked: all.length });
    const listed = (await op().get('/v1/tenants/alpha/audit?option=max_proxies').expect(200)).body.items;
    expect(listed.map((e: { after: unknown }) => e.after)).toEqual([4, 3, 2]);
  });
});
