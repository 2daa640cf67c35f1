import type pg from 'pg';
import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

interface TableRls {
  table: string;
  enabled: boolean;
  forced: boolean;
}

/** Every table with a `tenant_id` column, and whether row-level security is enabled and forced on it. */
async function tenantTables(c: pg.PoolClient): Promise<TableRls[]> {
  const { rows } = await c.query<TableRls>(`
    SELECT DISTINCT cl.relname AS table, cl.relrowsecurity AS enabled, cl.relforcerowsecurity AS forced
      FROM information_schema.columns col
      JOIN pg_namespace n ON n.nspname = col.table_schema
      JOIN pg_class cl ON cl.relnamespace = n.oid AND cl.relname = col.table_name
     WHERE col.column_name = 'tenant_id'
       AND cl.relkind IN ('r', 'p')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
     ORDER BY cl.relname`);
  return rows;
}

/**
 * Functions that run beyond the caller's tenant scope (SET app.all_tenants, or SECURITY DEFINER),
 * each with what it may reach. Each one is a door through row-level security: a new one fails the
 * test below until it is reviewed and listed here.
 */
const SCOPE_LIFTING: Record<string, string> = {
  cloison_approval_credential:
    'the one live key, of the approver asked for, that an approval names, if the tenant scope may update it (locked until it commits)',
  cloison_audit_link: 'links unlinked audit events into the global chain (no tenant data returned)',
  cloison_audit_link_visible: 'the same link run, as its owner (no tenant data returned)',
  cloison_authenticate: 'the one live principal whose token hash is given',
  cloison_authenticate_oidc: 'the one live principal linked to the given issuer and subject',
  cloison_console_session_authenticate: 'the principal holding the one session whose id hash is given',
  cloison_console_session_close: 'ends the one session whose id hash is given',
  cloison_console_session_open: 'opens a session for one live principal, in its own tenant',
  cloison_console_sessions_end: "ends a revoked principal's sessions",
  cloison_credential_used: 'moves the counter of the one key whose fingerprint is given',
  cloison_invitation_by_code: 'the one invitation whose code hash is given',
  cloison_lineage_holders: "who made the given principals, for principals of the caller's own tenant only",
  cloison_principal_credentials: 'the live keys of the one principal asked for',
  cloison_principal_lineages: 'lineage and creation time of exactly the principals asked for',
  cloison_tenant_by_slug: 'the id of the one tenant whose slug is given',
};

async function scopeLifting(c: pg.PoolClient): Promise<string[]> {
  const { rows } = await c.query<{ name: string }>(`
    SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public'
       AND (p.prosecdef OR EXISTS (SELECT 1 FROM unnest(p.proconfig) cfg WHERE cfg LIKE 'app.all_tenants=%'))
     ORDER BY 1`);
  return rows.map((r) => r.name);
}

const unprotected = (tables: TableRls[]): string[] => tables.filter((t) => !t.enabled || !t.forced).map((t) => t.table);

/**
 * The schema itself, read from the catalogue: a table that holds tenant rows and lacks ENABLE
 * or FORCE ROW LEVEL SECURITY would serve every tenant's rows to the app role (or to the
 * table's owner), whatever the application filters. A new migration that forgets it fails here.
 */
describe('row-level security in the catalogue', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** Runs `fn` as the superuser in a transaction that is always rolled back. */
  async function rolledBack<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await t.database.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SET LOCAL ROLE NONE');
      return await fn(c);
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  }

  it('every table with a tenant_id column has row-level security enabled and forced', async () => {
    const tables = await rolledBack(tenantTables);
    // Not vacuous: the tenant-scoped tables are found.
    expect(tables.map((x) => x.table)).toEqual(
      expect.arrayContaining(['option_values', 'audit_events', 'change_requests', 'seals', 'principals', 'console_sessions']),
    );
    expect(unprotected(tables)).toEqual([]);
  });

  it("every function that runs beyond the caller's tenant scope is one reviewed and listed", async () => {
    expect(await rolledBack(scopeLifting)).toEqual(Object.keys(SCOPE_LIFTING).sort());
    const found = await rolledBack(async (c) => {
      await c.query("CREATE FUNCTION rls_probe_lift() RETURNS int LANGUAGE sql SET app.all_tenants = 'on' AS 'SELECT 1'");
      return scopeLifting(c);
    });
    expect(found).toContain('rls_probe_lift');
  });

  it("who made a principal is read for the caller's own tenant only", async () => {
    const [a, b] = [await createTenant(t, 'holders-a'), await createTenant(t, 'holders-b')];
    const made = await t.as(OPERATOR_TOKEN).post('/v1/principals').send({ name: 'set-up login', role: 'client_admin', tenant: b.slug });
    expect(made.status).toBe(201);
    const holders = (tenantId: string) =>
      rolledBack(async (c) => {
        await c.query('SET LOCAL ROLE cloison_app');
        await c.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
        return (await c.query('SELECT id, holder_name FROM cloison_lineage_holders($1::text[])', [[made.body.id]])).rows;
      });
    expect(await holders(a.id)).toEqual([]);
    expect(await holders(b.id)).toEqual([{ id: made.body.id, holder_name: expect.any(String) }]);
  });

  it('names a table whose row-level security is switched off, not forced, or never set', async () => {
    const found = await rolledBack(async (c) => {
      await c.query('ALTER TABLE option_values NO FORCE ROW LEVEL SECURITY');
      await c.query('ALTER TABLE change_requests DISABLE ROW LEVEL SECURITY');
      await c.query('CREATE TABLE rls_catalog_probe (id int PRIMARY KEY, tenant_id uuid NOT NULL)');
      return unprotected(await tenantTables(c));
    });
    expect(found).toEqual(['change_requests', 'option_values', 'rls_catalog_probe']);
    // The changes were rolled back: the real schema is whole again.
    expect(unprotected(await rolledBack(tenantTables))).toEqual([]);
  });
});
