import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DefaultChangeRefused } from '#change-control';
import { OPERATOR_TOKEN, createTenant, startTestApp, tempDir, type TestApp } from '../support/test-app.js';

function editDefault(catalog: string, key: string, value: unknown) {
  const file = join(catalog, 'options', `${key}.json`);
  const def = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...def, version: def.version + 1, default: value }, null, 2));
}

describe('registry default changes: impact report, pinning or refusal', () => {
  let t: TestApp;
  let catalog: string;
  const op = () => t.as(OPERATOR_TOKEN);
  const value = async (tenant: string, key: string) => (await op().get(`/v1/tenants/${tenant}/options/${key}`).expect(200)).body;
  const defaults = () =>
    t.superuser(async (c) => (await c.query('SELECT option_key, version, default_value FROM catalog_defaults ORDER BY option_key')).rows);

  beforeAll(async () => {
    catalog = tempDir('cloison-catalog-');
    cpSync(resolve('catalog'), catalog, { recursive: true });
    t = await startTestApp({ catalogDir: catalog, dataDir: process.env.DATABASE_URL ? undefined : tempDir('cloison-data-') });
    await createTenant(t, 'relies-a');
    await createTenant(t, 'relies-b');
    await createTenant(t, 'own-value');
    await op().put('/v1/tenants/own-value/options/ui_language').send({ value: 'de', reason: 'german office' }).expect(200);
    await op().put('/v1/tenants/own-value/options/schedule_change').send({ value: 'locked', reason: 'locked calendar' }).expect(202);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('records the catalog defaults at first boot without auditing a change', async () => {
    const rows = await defaults();
    expect(rows).toHaveLength(23);
    expect(rows.find((r: { option_key: string }) => r.option_key === 'schedule_change')).toEqual({
      option_key: 'schedule_change',
      version: 1,
      default_value: 'before_opening',
    });
    const global = (await op().get('/v1/audit?action=registry.default_changed').expect(200)).body.items;
    expect(global).toEqual([]);
  });

  it('refuses to boot when a sensitive default would change tenants silently (refuse mode), writing nothing', async () => {
    const before = await t.snapshot();
    editDefault(catalog, 'schedule_change', 'locked');
    editDefault(catalog, 'ui_language', 'en');
    const err = await t.reboot({ defaultChanges: 'refuse' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DefaultChangeRefused);
    // Only the high option is refused; the low one would simply follow its new default.
    expect((err as DefaultChangeRefused).changes.map((c) => c.option)).toEqual(['schedule_change']);
    const change = (err as DefaultChangeRefused).changes[0];
    // own-value's request is still pending, so it too relies on the default.
    expect(change?.impact).toEqual(['own-value', 'relies-a', 'relies-b']);
    expect(change?.before).toEqual({ version: 1, default: 'before_opening' });
    t = await t.reboot({ defaultChanges: 'pin', catalogDir: resolve('catalog') });
    expect(await t.snapshot()).toEqual(before);
  }, 180_000);

  it('pins tenants relying on a sensitive default (audited per tenant); low options follow the new default', async () => {
    t = await t.reboot({ defaultChanges: 'pin', catalogDir: catalog });
    for (const slug of ['own-value', 'relies-a', 'relies-b']) {
      expect(await value(slug, 'schedule_change')).toMatchObject({ value: 'before_opening', source: 'tenant', version: 1 });
      const [latest] = (await op().get(`/v1/tenants/${slug}/audit?action=option.pinned`).expect(200)).body.items;
      expect(latest).toMatchObject({
        action: 'option.pinned',
        option: 'schedule_change',
        before: 'before_opening',
        after: 'before_opening',
        actor: { role: 'system' },
      });
    }
    expect((await value('relies-a', 'ui_language')).value).toBe('en');
    expect((await value('own-value', 'ui_language')).value).toBe('de');

    const events = (await op().get('/v1/audit?action=registry.default_changed').expect(200)).body.items;
    const byOption = Object.fromEntries(events.map((e: { option: string }) => [e.option, e]));
    expect(byOption.schedule_change).toMatchObject({
      tenant: null,
      before: { version: 1, default: 'before_opening' },
      after: {
        version: 2,
        default: 'locked',
        impact: ['own-value', 'relies-a', 'relies-b'],
        pinned: ['own-value', 'relies-a', 'relies-b'],
      },
    });
    expect(byOption.ui_language.after).toEqual({ version: 2, default: 'en', impact: ['relies-a', 'relies-b'], pinned: [] });
    expect((await defaults()).find((r: { option_key: string }) => r.option_key === 'schedule_change').default_value).toBe('locked');

    // A second boot with the same catalog changes nothing.
    const before = await t.snapshot();
    t = await t.reboot();
    expect(await t.snapshot()).toEqual(before);
  }, 180_000);
});
