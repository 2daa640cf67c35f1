import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createApp } from '#api/app.factory';
import { assertRestrictedRole } from '#persistence';
import { freshDatabase, testConfig, type TestDatabase } from '../support/test-app.js';

const onServer = process.env.DATABASE_URL ? describe : describe.skip;

describe('restricted role check', () => {
  it('names every way the working role would escape row-level security', () => {
    expect(() => assertRestrictedRole({ role: 'app', superuser: false, bypassRls: false, ownsTables: [] })).not.toThrow();
    expect(() => assertRestrictedRole({ role: 'app', superuser: true, bypassRls: false, ownsTables: [] })).toThrow(/superuser/);
    expect(() => assertRestrictedRole({ role: 'app', superuser: false, bypassRls: true, ownsTables: [] })).toThrow(/BYPASSRLS/);
    expect(() => assertRestrictedRole({ role: 'app', superuser: false, bypassRls: false, ownsTables: ['tenants'] })).toThrow(
      /owns tables \(tenants\)/,
    );
  });
});

onServer('database role at startup (PostgreSQL)', () => {
  let db: TestDatabase;
  const roles: string[] = [];
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>) => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const loginUrl = (role: string) => {
    const u = new URL(db.url as string);
    u.username = role;
    return u.toString();
  };
  const newLogin = async (attributes: string) => {
    const role = `cloison_t_login_${randomBytes(4).toString('hex')}`;
    roles.push(role);
    await admin((c) => c.query(`CREATE ROLE ${role} LOGIN ${attributes} IN ROLE cloison_app`));
    return role;
  };

  beforeAll(async () => {
    db = await freshDatabase();
    // A first start in the simple set-up creates the schema and the application role.
    const app = await createApp(testConfig({ databaseUrl: db.url }));
    await app.close();
  });
  afterAll(async () => {
    await db?.drop();
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    for (const role of roles) await c.query(`DROP ROLE IF EXISTS ${role}`);
    await c.end();
  });

  it('refuses to start in the hardened set-up when the app would work as a superuser', async () => {
    await expect(createApp(testConfig({ databaseUrl: db.url, migrationUrl: db.url }))).rejects.toThrow(
      /refusing to start: .* is a superuser/,
    );
  });

  it('refuses to start in the hardened set-up when the app role has BYPASSRLS', async () => {
    const role = await newLogin('NOSUPERUSER BYPASSRLS');
    await expect(createApp(testConfig({ databaseUrl: loginUrl(role), migrationUrl: db.url }))).rejects.toThrow(/has BYPASSRLS/);
  });

  it('starts in the hardened set-up with a restricted login role', async () => {
    const role = await newLogin('NOSUPERUSER NOBYPASSRLS');
    const app = await createApp(testConfig({ databaseUrl: loginUrl(role), migrationUrl: db.url }));
    try {
      expect(app.database.mode).toBe('hardened');
      expect(app.database.role).toEqual({ role, superuser: false, bypassRls: false, ownsTables: [] });
    } finally {
      await app.close();
    }
  });

  it('in the simple set-up, works as the restricted role on every pooled connection (SET ROLE took effect)', async () => {
    const app = await createApp(testConfig({ databaseUrl: db.url, poolSize: 4 }));
    try {
      expect(app.database.mode).toBe('simple');
      expect(app.database.role).toMatchObject({ role: 'cloison_app', superuser: false, bypassRls: false, ownsTables: [] });
      const clients = await Promise.all([1, 2, 3, 4].map(() => app.database.pool.connect()));
      try {
        for (const c of clients) {
          const { rows } = await c.query(
            'SELECT current_user AS role, session_user AS login, (SELECT count(*) FROM audit_events)::int AS visible',
          );
          // Logged in as the superuser, yet working as cloison_app: RLS hides every audit row.
          expect(rows[0]).toEqual({ role: 'cloison_app', login: 'postgres', visible: 0 });
        }
      } finally {
        for (const c of clients) c.release();
      }
      const all = await admin(async (c) => (await c.query('SELECT count(*)::int AS n FROM audit_events')).rows[0].n);
      expect(all).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});
