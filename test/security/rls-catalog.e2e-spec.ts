import type pg from 'pg';
import { startTestApp, type TestApp } from '../support/test-app.js';

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
