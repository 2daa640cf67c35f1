import type pg from 'pg';
import { TenantScopeService } from '#tenancy';
import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Defence in depth: with the application's own tenant filter removed, PostgreSQL row-level
 * security still hides and protects every other tenant's rows from the role the app works as.
 */
describe('row-level security without the application filter', () => {
  let t: TestApp;
  let a: { id: string }, b: { id: string };

  beforeAll(async () => {
    t = await startTestApp();
    a = await createTenant(t, 'alpha');
    b = await createTenant(t, 'beta');
    for (const slug of ['alpha', 'beta']) {
      await createPrincipal(t, 'client_admin', slug);
      await t.as(OPERATOR_TOKEN).put(`/v1/tenants/${slug}/options/retention_days`).send({ value: 400, reason: 'seed' }).expect(200);
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** A transaction on the app's own pool (the restricted role), scoped to tenant A. */
  async function asAppInTenant<T>(tenantId: string | null, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await t.database.pool.connect();
    try {
      await c.query('BEGIN');
      if (tenantId) await c.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
      return await fn(c);
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  }

  it('works as a role that is not superuser, not BYPASSRLS and owns no table', async () => {
    expect(t.database.role).toMatchObject({ superuser: false, bypassRls: false, ownsTables: [] });
    const role = await asAppInTenant(null, async (c) => (await c.query('SELECT current_user AS u')).rows[0].u);
    expect(role).toBe(t.config.appRole);
  });

  it.each(['tenants', 'option_values', 'audit_events', 'principals'])('unfiltered SELECT on %s returns no foreign rows', async (table) => {
    const column = table === 'tenants' ? 'id' : 'tenant_id';
    const rows = await asAppInTenant(a.id, async (c) => (await c.query(`SELECT ${column} AS tenant FROM ${table}`)).rows);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.tenant === a.id)).toBe(true);
  });

  it('sees nothing at all when no tenant is set', async () => {
    const counts = await asAppInTenant(
      null,
      async (c) =>
        (
          await c.query(
            'SELECT (SELECT count(*) FROM option_values)::int AS o, (SELECT count(*) FROM tenants)::int AS t, (SELECT count(*) FROM audit_events)::int AS e',
          )
        ).rows[0],
    );
    expect(counts).toEqual({ o: 0, t: 0, e: 0 });
  });

  it("cannot update, delete or insert another tenant's rows", async () => {
    await asAppInTenant(a.id, async (c) => {
      expect((await c.query("UPDATE option_values SET value = '3650' WHERE tenant_id = $1", [b.id])).rowCount).toBe(0);
      expect((await c.query('DELETE FROM option_values WHERE tenant_id = $1', [b.id])).rowCount).toBe(0);
      await expect(
        c.query(
          "INSERT INTO option_values (tenant_id, option_key, is_set, value, version, updated_at, updated_by_id, updated_by) VALUES ($1, 'revote', true, 'true', 1, now(), 'x', 'x')",
          [b.id],
        ),
      ).rejects.toMatchObject({ code: '42501' });
    });
    const bValue = await t.as(OPERATOR_TOKEN).get('/v1/tenants/beta/options/retention_days').expect(200);
    expect(bValue.body).toMatchObject({ value: 400, version: 1 });
  });

  it('through Prisma too: a query without any tenant filter inside a tenant scope sees only that tenant', async () => {
    const scopes = t.app.get(TenantScopeService);
    const rows = await scopes.run({ tenantId: a.id }, (tx) => tx.optionValue.findMany());
    expect(rows.map((r) => r.tenantId)).toEqual([a.id]);
    const where = { tenantId: undefined }; // the classic ORM mistake: matches every row
    const audit = await scopes.run({ tenantId: a.id }, (tx) => tx.auditEvent.findMany({ where }));
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((e) => e.tenantId === a.id)).toBe(true);
    await expect(scopes.run({ tenantId: undefined as unknown as string }, (tx) => tx.tenant.findMany())).rejects.toThrow(/tenant id/);
  });

  it('keeps the audit log append-only for the app role and, by trigger, for the superuser', async () => {
    await asAppInTenant(a.id, async (c) => {
      await expect(c.query("UPDATE audit_events SET reason = 'rewritten'")).rejects.toMatchObject({ code: '42501' });
    });
    await asAppInTenant(a.id, async (c) => {
      await expect(c.query('DELETE FROM audit_events')).rejects.toMatchObject({ code: '42501' });
    });
    await expect(t.superuser((c) => c.query("UPDATE audit_events SET reason = 'rewritten'"))).rejects.toThrow(/append-only/);
    await expect(t.superuser((c) => c.query('DELETE FROM audit_events'))).rejects.toThrow(/append-only/);
    await expect(t.superuser((c) => c.query('TRUNCATE audit_events'))).rejects.toThrow(/append-only/);
  });

  it('does not leak the tenant setting through the pool after a transaction ends', async () => {
    const scopes = t.app.get(TenantScopeService);
    await scopes.run({ tenantId: a.id }, async () => undefined);
    const leaked = await asAppInTenant(null, async (c) => (await c.query("SELECT current_setting('app.tenant_id', true) AS v")).rows[0].v);
    expect(leaked ?? '').toBe('');
  });
});
