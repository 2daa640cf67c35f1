import { readFileSync } from 'node:fs';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Every table is ready to be spread over a Citus cluster by tenant: a table either holds one
 * tenant's rows (distributed by tenant_id: the column is NOT NULL and every primary key,
 * unique constraint and foreign key includes it, so no constraint spans shards), or it is
 * named here with the reason it is kept whole. docs/scaling.md carries the same list.
 */
const KEPT_WHOLE: Record<string, 'reference' | 'coordinator'> = {
  tenants: 'reference',
  principals: 'reference',
  // Signing keys of principals: operators' keys have no tenant, like their principals.
  credentials: 'reference',
  audit_events: 'coordinator',
  audit_heads: 'coordinator',
  audit_checkpoints: 'coordinator',
  // The change counter that instances without notifications poll (read through the view
  // evaluation_changes): a few rows, no tenant.
  evaluation_change_slots: 'coordinator',
  // Tenant rows (tenant_id NOT NULL) whose keys and foreign keys use `id` alone: they stay on the
  // coordinator until keyed by (tenant_id, id) (docs/scaling.md, step 6).
  change_requests: 'coordinator',
  change_request_approvals: 'coordinator',
  seals: 'coordinator',
  seal_approvals: 'coordinator',
  // One row per catalog option, no tenant.
  catalog_defaults: 'reference',
  // The service's signing keys, no tenant.
  service_keys: 'reference',
  // Console sign-in sessions: operators' have no tenant, like their principals; written on each use.
  console_sessions: 'coordinator',
  catalog_definition_history: 'reference',
  // Who may act: operator requests name no tenant, invitations are keyed by id alone (like seals).
  principal_requests: 'coordinator',
  invitations: 'coordinator',
  _prisma_migrations: 'coordinator',
};

interface Constraint {
  table: string;
  name: string;
  type: 'p' | 'u' | 'f';
  columns: string[];
  refTable: string | null;
  refColumns: string[] | null;
}

describe('distribution by tenant (Citus)', () => {
  let t: TestApp;
  let tables: string[];
  let tenantColumn: Map<string, { nullable: boolean }>;
  let constraints: Constraint[];
  let uniqueIndexes: { table: string; name: string; columns: string[] }[];
  beforeAll(async () => {
    t = await startTestApp();
    await t.superuser(async (c) => {
      tables = (
        await c.query(`SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r','p') ORDER BY 1`)
      ).rows.map((r) => r.relname);
      tenantColumn = new Map(
        (
          await c.query(
            `SELECT table_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'`,
          )
        ).rows.map((r) => [r.table_name, { nullable: r.is_nullable === 'YES' }]),
      );
      constraints = (
        await c.query(`
          SELECT con.conrelid::regclass::text AS table, con.conname AS name, con.contype AS type,
                 ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = con.conrelid AND attnum = ANY(con.conkey))::text[] AS columns,
                 con.confrelid::regclass::text AS "refTable",
                 ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = con.confrelid AND attnum = ANY(con.confkey))::text[] AS "refColumns"
            FROM pg_constraint con JOIN pg_class r ON r.oid = con.conrelid
           WHERE r.relnamespace = 'public'::regnamespace AND con.contype IN ('p','u','f')`)
      ).rows.map((r) => ({ ...r, refTable: r.type === 'f' ? r.refTable : null }));
      uniqueIndexes = (
        await c.query(`
          SELECT i.indrelid::regclass::text AS table, ic.relname AS name,
                 ARRAY(SELECT attname FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = ANY(i.indkey))::text[] AS columns
            FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class r ON r.oid = i.indrelid
           WHERE r.relnamespace = 'public'::regnamespace AND i.indisunique`)
      ).rows;
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const distributed = () => tables.filter((x) => !(x in KEPT_WHOLE));

  it('every table is either kept whole for a stated reason or distributable by a NOT NULL tenant_id', () => {
    expect(distributed()).toContain('option_values');
    for (const table of distributed()) {
      expect({ table, tenantId: tenantColumn.get(table) }).toEqual({ table, tenantId: { nullable: false } });
    }
    for (const kept of Object.keys(KEPT_WHOLE)) expect(tables).toContain(kept);
  });

  it('primary keys and unique indexes of distributed tables include tenant_id', () => {
    for (const table of distributed()) {
      const pk = constraints.find((c) => c.table === table && c.type === 'p');
      expect({ table, pkHasTenant: pk?.columns.includes('tenant_id') }).toEqual({ table, pkHasTenant: true });
      for (const u of uniqueIndexes.filter((i) => i.table === table)) {
        expect({ index: u.name, hasTenant: u.columns.includes('tenant_id') }).toEqual({ index: u.name, hasTenant: true });
      }
    }
  });

  it('foreign keys of distributed tables point at reference tables or co-located rows of the same tenant', () => {
    for (const fk of constraints.filter((c) => c.type === 'f' && distributed().includes(c.table))) {
      const target = fk.refTable as string;
      const ok = KEPT_WHOLE[target] === 'reference' || (fk.columns.includes('tenant_id') && (fk.refColumns ?? []).includes('tenant_id'));
      expect({ fk: fk.name, ok }).toEqual({ fk: fk.name, ok: true });
    }
  });

  it('docs/scaling.md states the class and distribution column of every table', () => {
    const doc = readFileSync('docs/scaling.md', 'utf8');
    for (const table of tables) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${table}\` |`));
      expect({ table, documented: row !== undefined }).toEqual({ table, documented: true });
      const expected: string = KEPT_WHOLE[table] ?? 'distributed';
      expect({ table, class: row!.split('|')[2]!.trim() }).toEqual({ table, class: expected });
      if (expected === 'distributed') expect(row!.split('|')[3]!.trim()).toBe('`tenant_id`');
    }
  });
});
