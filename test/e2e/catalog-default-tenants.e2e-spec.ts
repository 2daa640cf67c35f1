import { generateKeyPairSync } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DefaultChangeRefused } from '#change-control';
import { expectValuesAttested, exportText, publicKeyOf, verifyOffline, verifyOnline } from '../support/audit-helpers.js';
import {
  OPERATOR_TOKEN,
  OPERATOR_TOKEN_2,
  createPrincipal,
  createTenant,
  startTestApp,
  tempDir,
  type TestApp,
} from '../support/test-app.js';

const KEY = 'voter_results_visibility';

function editDefinition(catalog: string, key: string, edit: (def: Record<string, unknown>) => Record<string, unknown>) {
  const file = join(catalog, 'options', `${key}.json`);
  const def = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...edit(def), version: def.version + 1 }, null, 2));
}

describe('registry default changes reach each tenant through its own chain', () => {
  let t: TestApp;
  let catalog: string;
  let sealId: string;
  let sealedService: string;
  let plainService: string;
  const op = () => t.as(OPERATOR_TOKEN);
  const value = async (tenant: string, key = KEY) => (await op().get(`/v1/tenants/${tenant}/options/${key}`).expect(200)).body;
  const events = async (tenant: string, action: string) =>
    (await op().get(`/v1/tenants/${tenant}/audit?action=${action}`).expect(200)).body.items;
  const ofrep = async (token: string) => (await t.as(token).post(`/ofrep/v1/evaluate/flags/${KEY}`).send({}).expect(200)).body;
  const verify = async () => (await op().get(`/v1/tenants/sealed-b/seals/${sealId}/verify`).expect(200)).body;

  beforeAll(async () => {
    catalog = tempDir('cloison-catalog-');
    cpSync(resolve('catalog'), catalog, { recursive: true });
    // One service key across restarts, on both databases: seals and checkpoints stay this service's.
    const auditSigningKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    t = await startTestApp({
      catalogDir: catalog,
      auditSigningKey,
      dataDir: process.env.DATABASE_URL ? undefined : tempDir('cloison-data-'),
    });
    await createTenant(t, 'plain-a');
    await createTenant(t, 'sealed-b');
    await createTenant(t, 'level3-c', 3);
    await createTenant(t, 'own-d');
    await op().put(`/v1/tenants/own-d/options/${KEY}`).send({ value: 'never', reason: 'results on paper only' }).expect(200);
    sealedService = await createPrincipal(t, 'service', 'sealed-b');
    plainService = await createPrincipal(t, 'service', 'plain-a');
    const op2 = OPERATOR_TOKEN_2; // another person than the proposer
    const clientB = await createPrincipal(t, 'client_admin', 'sealed-b');
    sealId = (await op().post('/v1/tenants/sealed-b/seals').send({ label: 'General assembly' }).expect(201)).body.id;
    await t.as(op2).post(`/v1/tenants/sealed-b/seals/${sealId}/approve`).expect(200);
    const active = await t.as(clientB).post(`/v1/tenants/sealed-b/seals/${sealId}/approve`).expect(200);
    expect(active.body.status).toBe('active');
    editDefinition(catalog, KEY, (def) => ({ ...def, default: 'live' }));
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('refuse mode refuses a medium default that a sealed or risk level 3 tenant relies on, writing nothing', async () => {
    const before = await t.snapshot();
    const err = await t.reboot({ defaultChanges: 'refuse' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DefaultChangeRefused);
    expect((err as DefaultChangeRefused).changes).toEqual([
      expect.objectContaining({ option: KEY, impact: ['level3-c', 'plain-a', 'sealed-b'], pinned: ['level3-c', 'sealed-b'] }),
    ]);
    t = await t.reboot({ defaultChanges: 'pin', catalogDir: resolve('catalog') });
    expect(await t.snapshot()).toEqual(before);
  }, 180_000);

  it('pins sealed and risk level 3 tenants, records the new value in the chain of those that follow it', async () => {
    t = await t.reboot({ defaultChanges: 'pin', catalogDir: catalog });
    const [global] = (await op().get('/v1/audit?action=registry.default_changed').expect(200)).body.items;
    expect(global).toMatchObject({
      tenant: null,
      option: KEY,
      before: { version: 1, default: 'after_close' },
      after: { version: 2, default: 'live', impact: ['level3-c', 'plain-a', 'sealed-b'], pinned: ['level3-c', 'sealed-b'] },
    });
    for (const slug of ['sealed-b', 'level3-c']) {
      expect(await value(slug)).toMatchObject({ value: 'after_close', source: 'tenant', version: 1 });
      const [pinned] = await events(slug, 'option.pinned');
      expect(pinned).toMatchObject({ option: KEY, before: 'after_close', after: 'after_close', actor: { role: 'system' } });
      expect(pinned.reason).toContain('definition version 2');
      expect(await events(slug, 'option.default_applied')).toEqual([]);
    }
    expect(await value('plain-a')).toMatchObject({ value: 'live', source: 'default' });
    const applied = await events('plain-a', 'option.default_applied');
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ option: KEY, before: 'after_close', after: 'live', actor: { role: 'system' } });
    expect(applied[0].reason).toContain('definition version 2');
    expect(await value('own-d')).toMatchObject({ value: 'never', source: 'tenant' });
    expect(await events('own-d', 'option.default_applied')).toEqual([]);
    expect(await events('own-d', 'option.pinned')).toEqual([]);
    expect((await ofrep(plainService)).value).toBe('live');

    // Each tenant's chain, and the global one, still verify (online and from an export).
    const key = await publicKeyOf(t);
    for (const slug of [undefined, 'plain-a', 'sealed-b']) {
      expect(await verifyOnline(t, slug)).toMatchObject({ ok: true });
      expect(await verifyOffline(await exportText(t, slug), key)).toMatchObject({ ok: true });
    }
    // Pinned rows and followed defaults (no row written) agree with what each chain implies.
    await expectValuesAttested(t, 4);
  }, 180_000);

  it('a sealed tenant keeps its value through REST and OFREP, and its seal still verifies', async () => {
    expect((await ofrep(sealedService)).value).toBe('after_close');
    expect(await verify()).toMatchObject({ matches: true, valid: true });
  });

  it('GET /v1/registry/:key shows each reconciled version of the definition', async () => {
    const body = (await op().get(`/v1/registry/${KEY}`).expect(200)).body;
    expect(body).toMatchObject({ key: KEY, version: 2, default: 'live' });
    expect(body.history).toEqual([
      {
        version: 1,
        risk: 'medium',
        default: 'after_close',
        schemaHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        reconciledAt: expect.any(String),
      },
      { version: 2, risk: 'medium', default: 'live', schemaHash: body.history[0].schemaHash, reconciledAt: expect.any(String) },
    ]);
    expect(Date.parse(body.history[1].reconciledAt)).toBeGreaterThan(Date.parse(body.history[0].reconciledAt));
  });

  it('the history table is append-only for the application role', async () => {
    const asApp = (sql: string) =>
      t.superuser(async (c) => {
        await c.query('SET LOCAL ROLE cloison_app');
        await c.query(`SELECT set_config('app.all_tenants', 'on', true)`);
        return c.query(sql).then(
          () => 'done',
          (e: { code?: string }) => e.code,
        );
      });
    expect(await asApp('DELETE FROM catalog_definition_history')).toBe('42501');
    expect(await asApp(`UPDATE catalog_definition_history SET default_value = '"live"'`)).toBe('42501');
    expect(await asApp(`UPDATE catalog_definition_history SET schema_hash = 'x'`)).toBe('done');
    expect((await op().get(`/v1/registry/${KEY}`).expect(200)).body.history.map((v: { schemaHash: string }) => v.schemaHash)).not.toContain(
      'x',
    );
  });

  it('a schema change under a seal shows: verification no longer matches', async () => {
    editDefinition(catalog, KEY, (def) => ({
      ...def,
      schema: { type: 'string', enum: ['never', 'after_close', 'live', 'on_request'] },
      valueLabels: { ...(def.valueLabels as object), on_request: { en: 'On request', fr: 'Sur demande' } },
    }));
    t = await t.reboot();
    expect((await op().get(`/v1/registry/${KEY}`).expect(200)).body.history).toHaveLength(3);
    expect(await verify()).toMatchObject({ matches: false });
  }, 180_000);

  it("refuses to boot when a changed catalog turns a critical option's default on, writing nothing", async () => {
    const before = await t.snapshot();
    const file = join(catalog, 'options', 'admin_can_view_credentials.json');
    const original = readFileSync(file, 'utf8');
    editDefinition(catalog, 'admin_can_view_credentials', (def) => ({ ...def, default: true }));
    const err = await t.reboot().catch((e: unknown) => e);
    expect(String(err)).toMatch(/admin_can_view_credentials\.json: critical option's default true is not its safe value false/);
    writeFileSync(file, original);
    t = await t.reboot();
    expect(await t.snapshot()).toEqual(before);
  }, 180_000);
});
