import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CatalogError, lintCatalog, loadCatalog } from './catalog.loader.js';

const valid = {
  key: 'revote',
  version: 1,
  risk: 'medium',
  title: { en: 'Revote', fr: 'Revote' },
  description: { en: 'Voters may vote again.', fr: 'Les électeurs peuvent revoter.' },
  schema: { type: 'boolean' },
  default: false,
};

function catalogWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
  mkdirSync(join(dir, 'options'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, 'options', name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

function problemsOf(files: Record<string, unknown>) {
  return lintCatalog(catalogWith(files)).problems.map((p) => `${p.file.split('/').pop()}: ${p.problem}`);
}

describe('catalog lint', () => {
  it('loads the shipped catalog: at least 15 options, critical ones defaulting to their safe value', () => {
    const options = loadCatalog(resolve('catalog'));
    expect(options.length).toBeGreaterThanOrEqual(15);
    for (const key of ['ballot_secrecy', 'admin_can_view_credentials', 'admin_mfa', 'scrutineer_scope']) {
      expect(options.map((o) => o.definition.key)).toContain(key);
    }
    const critical = options.filter((o) => o.definition.risk === 'critical');
    expect(critical.length).toBeGreaterThan(0);
    for (const o of critical) expect(o.definition.default).toEqual(o.definition.safe);
  });

  it('accepts a valid definition', () => {
    expect(problemsOf({ 'revote.json': valid })).toEqual([]);
  });

  it('names the file and the problem for a broken definition', () => {
    expect(problemsOf({ 'revote.json': '{ "key": "revote", ' })).toEqual([expect.stringMatching(/^revote\.json: not valid JSON/)]);
    expect(problemsOf({ 'revote.json': { ...valid, risk: 'extreme' } })).toEqual([
      expect.stringMatching(/^revote\.json: definition \/risk .*enum/),
    ]);
    expect(problemsOf({ 'revote.json': { ...valid, description: { en: 'only English' } } })).toEqual([
      expect.stringMatching(/^revote\.json: definition \/description\/fr .*required/),
    ]);
    expect(problemsOf({ 'other.json': valid })).toEqual([expect.stringMatching(/^other\.json: key "revote" does not match the file name/)]);
    expect(problemsOf({ 'revote.json': { ...valid, schema: { type: 'boolean', minimum: 3 } } })).toEqual([
      expect.stringMatching(/^revote\.json: schema is not a valid JSON Schema/),
    ]);
  });

  it('names the file when a default does not validate against its schema', () => {
    expect(problemsOf({ 'revote.json': { ...valid, default: 'no' } })).toEqual([
      expect.stringMatching(/^revote\.json: default \/default must be boolean \(type\)/),
    ]);
  });

  it("names the file when a critical option's default is not its safe value, or no safe value is stated", () => {
    const critical = { ...valid, key: 'admin_can_view_credentials', risk: 'critical', safe: false };
    expect(problemsOf({ 'admin_can_view_credentials.json': { ...critical, default: true } })).toEqual([
      expect.stringMatching(/^admin_can_view_credentials\.json: critical option's default true is not its safe value false/),
    ]);
    const { safe: _safe, ...withoutSafe } = critical;
    expect(problemsOf({ 'admin_can_view_credentials.json': withoutSafe })).toEqual([
      expect.stringMatching(/critical option must state its safe value/),
    ]);
  });

  it('throws a CatalogError listing every problem at once', () => {
    const dir = catalogWith({ 'revote.json': { ...valid, default: 1 }, 'bad.json': '[' });
    expect(() => loadCatalog(dir)).toThrow(CatalogError);
    expect(() => loadCatalog(dir)).toThrow(/bad\.json: not valid JSON[\s\S]*revote\.json: default/);
  });
});
