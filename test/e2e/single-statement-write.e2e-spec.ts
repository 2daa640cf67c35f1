import type pg from 'pg';
import { auditPlaceholders, AuditRecorder } from '#audit';
import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A direct option change is one statement (cloison_change_option) that checks the seal, the
 * version, the risk level and the stored value the audit event starts from, writes (through
 * cloison_write_option, the one row write), and appends the audit event. Called here as the
 * application role, the way the service calls it, to show that it refuses without writing anything
 * when what the caller believed has moved (answering what is stored), and that it cannot record an
 * event describing another change.
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

  type Answer = {
    outcome: string;
    session_rls: boolean;
    version: number | null;
    value: unknown;
    risk_level: number | null;
    seal_id: string | null;
  };
  /** Calls the function (as the application role unless `role` is false); `tweak` edits the arguments first. */
  const apply = (expected: number, value: number, tweak: (args: unknown[]) => void = () => {}, before = 2, role = true) =>
    t.superuser(async (c: pg.PoolClient) => {
      if (role) await c.query(`SET LOCAL ROLE ${t.database.role.role}`);
      const event = recorder.prepare({
        actor: { id: 'op-1', name: 'operator', role: 'operator' },
        action: 'option.set',
        tenantId: alpha.id,
        optionKey: key,
        before,
        after: value,
        reason: 'direct call',
      });
      const args: unknown[] = [alpha.id, key, 2, expected, true, true, JSON.stringify(value), ...event.args];
      tweak(args);
      const sql = `SELECT * FROM cloison_change_option($1::uuid, $2::text, $3::integer, $4::integer, $5::boolean, $6::boolean, $7::jsonb, ${auditPlaceholders(7)})`;
      return (await c.query(sql, args)).rows[0] as Answer;
    });

  it('answers moved with the stored row and writes nothing when the option moved since it was read', async () => {
    const before = await t.snapshot();
    expect(await apply(0, 3)).toMatchObject({ outcome: 'moved', version: 1, value: 2, risk_level: 2 });
    expect(await t.snapshot()).toEqual(before);
  });

  it('answers moved and writes nothing when the event starts from another value, or the risk level moved', async () => {
    const before = await t.snapshot();
    expect(await apply(1, 3, () => {}, 7)).toMatchObject({ outcome: 'moved', version: 1, value: 2 });
    // The caller believed the option was at its default.
    expect(await apply(1, 3, (a) => (a[4] = false))).toMatchObject({ outcome: 'moved', version: 1, value: 2 });
    expect(await apply(1, 3, (a) => (a[2] = 1))).toMatchObject({ outcome: 'moved', version: 1, risk_level: 2 });
    expect(await t.snapshot()).toEqual(before);
  });

  it('refuses an audit event that names another option, another tenant or another value, and writes nothing', async () => {
    const beta = await createTenant(t, 'beta');
    const before = await t.snapshot();
    await expect(apply(1, 3, (a) => (a[13] = 'min_proxies'))).rejects.toThrow(/does not describe this change/);
    await expect(apply(1, 3, (a) => (a[7] = beta.id))).rejects.toThrow(/does not describe this change/);
    await expect(apply(1, 3, (a) => (a[6] = '4'))).rejects.toThrow(/does not describe this change/);
    expect(await t.snapshot()).toEqual(before);
  });

  it('writes nothing without row-level security (a session switched to the superuser), and says so', async () => {
    const before = await t.snapshot();
    expect(await apply(1, 3, () => {}, 2, false)).toMatchObject({ outcome: 'refused', session_rls: false, version: null });
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
      expect(await apply(1, 3)).toMatchObject({ outcome: 'sealed', seal_id: sealId });
      expect(await t.snapshot()).toEqual(before);
    } finally {
      await t.superuser((c) => c.query('DELETE FROM seals WHERE id = $1', [sealId]));
    }
  });

  it("the previous release's statement still answers as it did, through the same row write", async () => {
    const before = await t.snapshot();
    const previous = await t.superuser(async (c: pg.PoolClient) => {
      await c.query(`SET LOCAL ROLE ${t.database.role.role}`);
      const event = recorder.prepare({
        actor: { id: 'op-1', name: 'operator', role: 'operator' },
        action: 'option.set',
        tenantId: alpha.id,
        optionKey: key,
        before: 2,
        after: 3,
        reason: 'previous release',
      });
      const sql = `SELECT * FROM cloison_apply_option_unlinked($1::uuid, $2::text, $3::integer, $4::boolean, $5::jsonb, ${auditPlaceholders(5)})`;
      return (await c.query(sql, [alpha.id, key, 0, true, '3', ...event.args])).rows[0];
    });
    expect(previous).toMatchObject({ outcome: 'conflict', current_version: 1 });
    expect(await t.snapshot()).toEqual(before);
  });

  it('applies a change read at the current version, with exactly one event, chains intact', async () => {
    const events = () =>
      t.superuser(
        async (c) => (await c.query('SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1', [alpha.id])).rows[0].n as number,
      );
    const n = await events();
    expect(await apply(1, 3)).toMatchObject({ outcome: 'applied', version: 2, value: 3 });
    expect(await events()).toBe(n + 1);
    const option = await op().get(`/v1/tenants/alpha/options/${key}`).expect(200);
    expect(option.body).toMatchObject({ value: 3, version: 2, source: 'tenant' });
    // The service signs only heads it wrote itself: its next change covers this event too.
    await op().put(`/v1/tenants/alpha/options/${key}`).send({ value: 4, reason: 'through the service' }).expect(200);
    expect((await op().get('/v1/audit/verify').expect(200)).body).toMatchObject({ ok: true });
    expect((await op().get('/v1/tenants/alpha/audit/verify').expect(200)).body).toMatchObject({ ok: true });
  });
});
