import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CatalogError, lintCatalog, loadRegistry } from '#registry/catalog.loader';
import { tempDir } from '../support/temp-dir.js';

const CATALOG = resolve('catalog');

function catalogWith(presets: Record<string, unknown>): string {
  const dir = tempDir('cloison-presets-');
  symlinkSync(join(CATALOG, 'options'), join(dir, 'options'));
  mkdirSync(join(dir, 'presets'));
  for (const [name, body] of Object.entries(presets)) writeFileSync(join(dir, 'presets', `${name}.json`), JSON.stringify(body));
  return dir;
}

const text = { en: 'x', fr: 'x' };
const preset = (name: string, options: Record<string, unknown>) => ({ name, version: 1, title: text, description: text, options });

describe('preset lint', () => {
  it('accepts the shipped presets', () => {
    const { presets, problems } = lintCatalog(CATALOG);
    expect(problems).toEqual([]);
    expect(presets.map((p) => p.name).sort()).toEqual(['association-level-1', 'congress-level-3', 'union-level-2']);
    expect(loadRegistry(CATALOG).preset('union-level-2')?.version).toBe(1);
  });

  it('refuses a critical option at anything but its safe value, invalid values, unknown options and misnamed files', () => {
    const dir = catalogWith({
      unsafe: preset('unsafe', { admin_can_view_credentials: true }),
      invalid: preset('invalid', { retention_days: 5 }),
      unknown: preset('unknown', { no_such_option: 1 }),
      misnamed: preset('other-name', { ui_language: 'en' }),
      fine: preset('fine', { ui_language: 'en', ballot_secrecy: 'secret' }),
    });
    const { presets, problems } = lintCatalog(dir);
    const by = (f: string) => problems.filter((p) => p.file.endsWith(`${f}.json`)).map((p) => p.problem);
    expect(by('unsafe')).toEqual([expect.stringContaining('critical option "admin_can_view_credentials"')]);
    expect(by('invalid')).toEqual([expect.stringContaining('/options/retention_days')]);
    expect(by('unknown')).toEqual(['sets unknown option "no_such_option"']);
    expect(by('misnamed')).toEqual([expect.stringContaining('does not match the file name')]);
    expect(by('fine')).toEqual([]);
    expect(presets.map((p) => p.name)).toContain('fine');
    expect(() => loadRegistry(dir)).toThrow(CatalogError);
  });
});
