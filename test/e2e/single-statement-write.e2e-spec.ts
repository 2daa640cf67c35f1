import type pg from 'pg';
import { auditPlaceholders, AuditRecorder } from '#audit';
import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A direct option change is one statement (cloison_apply_option) that checks the seal and the
 * version, writes, and appends the audit event. Called here as the application role, the way
 * the service calls it, to show that it refuses without writing anything when what the caller
 * read has moved, and that it cannot record an event describing another change.
 */
describe('single-statement option change', () => {
  let t: TestApp;
  let alpha: { id: string; slug: string };
  const op = () => t.as(OPERATOR_TOKEN);
  const recorder = new AuditRecorder();
  const key = 'max_proxies';

  beforeAll(async () => {
    t = await startTestApp();
    alpha = await createTenant(t, 'alpha');
    await op().put(`/v1/tenants/alpha/options/${key}`).send({ value: 2, reason: 'initial value' }).expect(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** Calls the function as the application role; `tweak` edits the arguments before the call. */
  const apply = (expected: number, value: number, tweak: (args: unknown[]) => void = () => {}) =>
    t.superuser(async (c: pg.PoolClient) => {
      await c.query(`SET LOCAL ROLE ${t.database.role.role}`);
      const event = recorder.prepare({
        actor: { id: 'op-1', name: 'operator', role: 'operator' },
        action: 'option.set',
        tenantId: alpha.id,
        optionKey: key,
        before: 2,
        after: value,
        reason: 'direct call',
      });
      const args: unknown[] = [alpha.id, key, expected, true, JSON.stringify(value), ...event.args];
      tweak(args);
      const sql = `SELECT * FROM cloison_apply_option($1::uuid, $2::text, $3::integer, $4::boolean, $5::jsonb, ${auditPlaceholders(5)})`;
      return (await c.query(sql, args)).rows[0] as { outcome: string; current_version: number | null; active_seal: string | null };
    });

  it('answers conflict and writes nothing when the option moved since it was read', async () => {
    const before = await t.snapshot();
    const r = await apply(0, 3);
    expect(r).toMatchObject({ outcome: 'conflict', current_version: 1 });
    expect(await t.snapshot()).toEqual(before);
  });

  it('refuses an audit event that names another option or another tenant, and writes nothing', async () => {
    const beta = await createTenant(t, 'beta');
    const before = await t.snapshot();
    await expect(apply(1, 3, (a) => (a[11] = 'min_proxies'))).rejects.toThrow(/does not describe this change/);
    await expect(apply(1, 3, (a) => (a[5] = beta.id))).rejects.toThrow(/does not describe this change/);
    expect(await t.snapshot()).toEqual(before);
  });

  it('answers sealed and writes nothing when a seal became active after the read', async () => {
    const sealId = '5ea10000-0000-4000-8000-000000000001';
    await t.superuser((c) =>
      c.query(
        `INSERT INTO seals (id, tenant_id, label, required_approvals, status, proposed_by_id, proposed_by, proposed_by_role, proposed_at,
                                  activated_at, fingerprint, document)
               VALUES ($1, $2, 'election', 2, 'active', 'op-1', 'operator', 'operator', now(), now(), repeat('a', 64), '{}')`,
        [sealId, alpha.id],
      ),
    );
    try {
      const before = await t.snapshot();
      expect(await apply(1, 3)).toMatchObject({ outcome: 'sealed', active_seal: sealId });
      expect(await t.snapshot()).toEqual(before);
    } finally {
      await t.superuser((c) => c.query('DELETE FROM seals WHERE id = $1', [sealId]));
    }
  });

  it('applies a change read at the current version, with exactly one event, chains intact', async () => {
    const events = () =>
      t.superuser(
        async (c) => (await c.query('SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1', [alpha.id])).rows[0].n as number,
      );
    const n = await events();
    expect(await apply(1, 3)).toMatchObject({ outcome: 'applied', current_version: 2 });
    expect(await events()).toBe(n + 1);
    const option = await op().get(`/v1/tenants/alpha/options/${key}`).expect(200);
    expect(option.body).toMatchObject({ value: 3, version: 2, source: 'tenant' });
    // The service signs only heads it wrote itself: its next change covers this event too.
    await op().put(`/v1/tenants/alpha/options/${key}`).send({ value: 4, reason: 'through the service' }).expect(200);
    expect((await op().get('/v1/audit/verify').expect(200)).body).toMatchObject({ ok: true });
    expect((await op().get('/v1/tenants/alpha/audit/verify').expect(200)).body).toMatchObject({ ok: true });
  });
});
