import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createApp, type CloisonApp } from '#api/app.factory';
import { migrateDatabase } from '#persistence';
import { TenantScopeService } from '#tenancy';
import request from 'supertest';
import {
  OPERATOR_TOKEN,
  createPrincipal,
  createTenant,
  freshDatabase,
  startTestApp,
  testConfig,
  type TestApp,
  type TestDatabase,
} from '../support/test-app.js';

const auth = { authorization: `Bearer ${OPERATOR_TOKEN}` };

// Several instances and replicas need a PostgreSQL server: the embedded database is one
// in-process session, for a single instance.
const withServer = process.env.DATABASE_URL ? describe : describe.skip;

describe('read-only transactions', () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await startTestApp();
  });
  afterAll(async () => {
    await a?.stop();
  });

  it('read-only work refuses writes', async () => {
    const scopes = a.app.get(TenantScopeService);
    const tenantId = randomUUID();
    await expect(
      scopes.runRead(
        { tenantId },
        (tx) => tx.$executeRaw`INSERT INTO tenants (id, slug, name, risk_level) VALUES (${tenantId}::uuid, 'ro', 'ro', 1)`,
      ),
    ).rejects.toThrow(/read-only/);
  });
});

withServer('several stateless instances on one database', () => {
  let a: TestApp;
  let b: CloisonApp;
  beforeAll(async () => {
    a = await startTestApp();
    // A second instance of the same release on the same database (migrations already applied).
    b = await createApp(testConfig({ databaseUrl: a.database.url }));
    await b.app.getHttpAdapter().getInstance().ready();
    await createTenant(a, 'shared');
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  const onB = () => request(b.app.getHttpServer());

  it('a write through one instance is read through the other once the database announces it', async () => {
    // B keeps the tenant's option rows from this read on.
    await onB().get('/v1/tenants/shared/options/revote').set(auth).expect(200);
    await a.as(OPERATOR_TOKEN).put('/v1/tenants/shared/options/revote').send({ value: true, reason: 'policy' }).expect(200);
    const until = Date.now() + 1_500;
    for (;;) {
      const got = await onB().get('/v1/tenants/shared/options/revote').set(auth).expect(200);
      if (got.body.version === 1 || Date.now() > until) {
        expect(got.body).toMatchObject({ value: true, source: 'tenant', version: 1 });
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  });

  it('concurrent conditional writes through both instances: exactly one wins, one audit event', async () => {
    const before = (await a.as(OPERATOR_TOKEN).get('/v1/tenants/shared/options/max_proxies').expect(200)).headers.etag as string;
    const [r1, r2] = await Promise.all([
      a.as(OPERATOR_TOKEN).put('/v1/tenants/shared/options/max_proxies').set('if-match', before).send({ value: 1, reason: 'from a' }),
      onB().put('/v1/tenants/shared/options/max_proxies').set(auth).set('if-match', before).send({ value: 2, reason: 'from b' }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 412]);
    const audit = await onB().get('/v1/tenants/shared/audit?option=max_proxies').set(auth).expect(200);
    expect(audit.body.items).toHaveLength(1);
  });

  it('a token revoked through one instance stops working on the other at once', async () => {
    const token = await createPrincipal(a, 'service', 'shared');
    await onB().get('/v1/tenants/shared/options').set('authorization', `Bearer ${token}`).expect(200);
    const audit = await a.as(OPERATOR_TOKEN).get('/v1/audit?action=principal.created&tenant=shared').expect(200);
    await onB().post(`/v1/principals/${audit.body.items[0].after.id}/revoke`).set(auth).send({}).expect(200);
    await a.as(token).get('/v1/tenants/shared/options').expect(401);
  });
});

withServer('reads from a replica (DATABASE_REPLICA_URL)', () => {
  let t: TestApp;
  let replica: TestDatabase;
  let admin: pg.Client;
  let r1: { id: string };
  beforeAll(async () => {
    // Stand-in for a streaming replica: a second database with the same schema and its own rows,
    // so that where each read came from is visible.
    replica = await freshDatabase();
    const settings = { databaseUrl: replica.url, appRole: 'cloison_app', migrationsDir: 'prisma/migrations', poolSize: 1 };
    await migrateDatabase(settings, { apply: true });
    t = await startTestApp({ replicaUrl: replica.url });
    r1 = await createTenant(t, 'r1');
    admin = new pg.Client({ connectionString: replica.url });
    await admin.connect();
    await admin.query(`INSERT INTO tenants (id, slug, name, risk_level) VALUES ($1, 'r1', 'R1 (replica copy)', 1), ($2, 'r2', 'R2', 1)`, [
      r1.id,
      randomUUID(),
    ]);
  });
  afterAll(async () => {
    await admin?.end();
    await t?.stop();
    await replica?.drop();
  });

  it('GET routes read from the replica; writes go to the primary', async () => {
    expect(t.database.hasReplica).toBe(true);
    const list = await t.as(OPERATOR_TOKEN).get('/v1/tenants').expect(200);
    expect(list.body.map((x: { name: string }) => x.name)).toEqual(['R1 (replica copy)', 'R2']);
    const primary = await t.superuser(async (c) => (await c.query('SELECT slug FROM tenants')).rows);
    expect(primary).toEqual([{ slug: 'r1' }]);
  });

  it('row-level security holds on the replica: a tenant scope sees only its tenant there', async () => {
    const token = await createPrincipal(t, 'client_admin', 'r1');
    const own = await t.as(token).get('/v1/tenants/r1').expect(200);
    expect(own.body.name).toBe('R1 (replica copy)');
    const scopes = t.app.get(TenantScopeService);
    const seen = await scopes.runRead({ tenantId: r1.id }, (tx) => tx.tenant.findMany({ select: { name: true } }));
    expect(seen).toEqual([{ name: 'R1 (replica copy)' }]);
  });

  it('authentication and authorization read the primary (a revoked token is refused at once)', async () => {
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM principals');
    expect(rows[0].n).toBe(0); // the replica knows no principal, yet tokens work
    await t.as(OPERATOR_TOKEN).get('/v1/tenants/r1').expect(200);
  });
});
