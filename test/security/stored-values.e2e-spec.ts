import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { checkpointNow, expectValuesAttested, exportText, publicKeyOf, verifyOffline, verifyOnline } from '../support/audit-helpers.js';

/**
 * The database owner changes a tenant's stored option values behind the service's back: every
 * change of a row is reported by the verify routes and fails the tenant export's offline
 * verification, naming the option; undone, both pass again (so the checks are not vacuous).
 * Honest histories through the direct write paths verify with no false alarm.
 */
describe('stored option values that disagree with the audit log', () => {
  let t: TestApp;
  let key: string;
  const op = () => t.as(OPERATOR_TOKEN);
  const owner = (sql: string) => t.superuser((c) => c.query(sql));
  const row = `tenant_id = (SELECT id FROM tenants WHERE slug = 'va-a') AND option_key`;

  beforeAll(async () => {
    t = await startTestApp();
    key = await publicKeyOf(t);
    await createTenant(t, 'va-a');
    await createTenant(t, 'va-b');
    const preset = await op()
      .post('/v1/tenants')
      .send({ slug: 'va-preset', name: 'Preset tenant', riskLevel: 2, preset: 'union-level-2', presetVersion: 1 });
    expect(preset.status).toBe(201);
    await op().put('/v1/tenants/va-a/options/retention_days').send({ value: 730, reason: 'statutes' }).expect(200);
    await op().put('/v1/tenants/va-a/options/retention_days').send({ value: 800, reason: 'statutes again' }).expect(200);
    await op().put('/v1/tenants/va-a/options/ui_language').send({ value: 'de', reason: 'members' }).expect(200);
    await op().delete('/v1/tenants/va-a/options/ui_language').send({ reason: 'back to the default' }).expect(200);
    const bulk = { option: 'retention_days', operation: 'set', value: 400, tenants: ['va-b', 'va-preset'], reason: 'harmonise' };
    const plan = (
      await op()
        .post('/v1/bulk-changes')
        .send({ ...bulk, dryRun: true })
        .expect(200)
    ).body;
    await op()
      .post('/v1/bulk-changes')
      .send({ ...bulk, planHash: plan.planHash })
      .expect(200);
    await checkpointNow(t);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  async function expectReported(option: string, stored: unknown, expected: unknown) {
    const online = await verifyOnline(t, 'va-a');
    expect(online).toMatchObject({ ok: false, valueDifference: { option, stored, expected } });
    expect(online.reason).toContain(`option "${option}"`);
    expect(await verifyOnline(t)).toMatchObject({ ok: false, valueDifference: { option, stored, expected } });
    const offline = await verifyOffline(await exportText(t, 'va-a'), key);
    expect(offline).toMatchObject({ ok: false, valueDifference: { option, stored, expected } });
    expect(offline.reason).toMatch(/the stored values were changed outside the service/);
    expect(await verifyOffline(await exportText(t), key)).toMatchObject({ ok: false, valueDifference: { option } });
  }
  async function expectIntact() {
    expect(await verifyOnline(t, 'va-a')).toMatchObject({ ok: true, valuesChecked: 1 });
    expect(await verifyOffline(await exportText(t, 'va-a'), key)).toMatchObject({ ok: true, valuesChecked: 1 });
    await expectValuesAttested(t, 3);
  }

  it('honest histories (direct set, reset, preset, bulk change) verify, online and offline', expectIntact);

  it('an updated value is reported', async () => {
    await owner(`UPDATE option_values SET value = '3650' WHERE ${row} = 'retention_days'`);
    await expectReported('retention_days', { version: 2, value: 3650, isSet: true }, { version: 2, value: 800, isSet: true });
    await owner(`UPDATE option_values SET value = '800' WHERE ${row} = 'retention_days'`);
    await expectIntact();
  });

  it('an updated value and version are reported', async () => {
    await owner(`UPDATE option_values SET value = '3650', version = version + 1 WHERE ${row} = 'retention_days'`);
    await expectReported('retention_days', { version: 3, value: 3650, isSet: true }, { version: 2, value: 800, isSet: true });
    await owner(`UPDATE option_values SET value = '800', version = 2 WHERE ${row} = 'retention_days'`);
    await expectIntact();
  });

  it('a deleted row is reported', async () => {
    const saved = await t.superuser(async (c) => (await c.query(`SELECT * FROM option_values WHERE ${row} = 'retention_days'`)).rows[0]);
    await owner(`DELETE FROM option_values WHERE ${row} = 'retention_days'`);
    await expectReported('retention_days', null, { version: 2, value: 800, isSet: true });
    await t.superuser((c) =>
      c.query('INSERT INTO option_values SELECT * FROM json_populate_record(null::option_values, $1)', [JSON.stringify(saved)]),
    );
    await expectIntact();
  });

  it('an inserted row is reported', async () => {
    await owner(
      `INSERT INTO option_values (tenant_id, option_key, is_set, value, version, updated_at, updated_by_id, updated_by)
       SELECT id, 'admin_can_view_credentials', true, 'true', 1, now(), 'x', 'x' FROM tenants WHERE slug = 'va-a'`,
    );
    await expectReported('admin_can_view_credentials', { version: 1, value: true, isSet: true }, null);
    await owner(`DELETE FROM option_values WHERE ${row} = 'admin_can_view_credentials'`);
    await expectIntact();
  });

  it('a flipped is_set is reported', async () => {
    await owner(`UPDATE option_values SET is_set = true WHERE ${row} = 'ui_language'`);
    await expectReported('ui_language', { version: 2, value: 'fr', isSet: true }, { version: 2, value: 'fr', isSet: false });
    await owner(`UPDATE option_values SET is_set = false WHERE ${row} = 'ui_language'`);
    await expectIntact();
  });

  it('writes committed while an export is read raise no false alarm', async () => {
    const writes = (async () => {
      for (let i = 0; i < 30; i++) {
        await op()
          .put('/v1/tenants/va-a/options/retention_days')
          .send({ value: 500 + i, reason: 'meanwhile' })
          .expect(200);
      }
    })();
    const exports: Promise<string>[] = [];
    for (let i = 0; i < 6; i++) exports.push(exportText(t, 'va-a'));
    const verified = [];
    for (const text of await Promise.all(exports)) verified.push(await verifyOffline(text, key));
    const online = await Promise.all([verifyOnline(t, 'va-a'), verifyOnline(t)]);
    await writes;
    for (const v of [...verified, ...online]) expect(v).toMatchObject({ ok: true, valuesChecked: expect.any(Number) });
    for (const v of verified) expect(v.valuesChecked).toBe(1);
    await checkpointNow(t);
    await expectIntact();
  });
});
