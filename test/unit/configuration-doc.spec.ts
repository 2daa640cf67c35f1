import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * docs/configuration.md is the one list of environment variables. It drifts in two ways: code
 * starts reading a variable nobody documented, or a documented variable stops being read. Both
 * are caught here from the sources themselves, so the list stays true as files move.
 */
const ROOT = process.cwd();
const DOC = 'docs/configuration.md';
const PRODUCT = ['apps', 'libs', 'bin'];
const TOOLING = ['test', 'bench'];
const SKIP = new Set(['node_modules', 'generated', 'dist', 'fixtures']);
// `process.env.X`, `env.X`, `env['X']`: the service's schema is read separately below.
const READ = /\benv\s*(?:\.\s*([A-Z][A-Z0-9_]+)\b|\[\s*['"]([A-Z][A-Z0-9_]+)['"]\s*\])/g;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) out.push(...sources(path));
    } else if (/\.(ts|js|mjs|cjs)$/.test(entry.name) && !/\.tmp\./.test(entry.name)) {
      // `.tmp.` files are local scratch scripts, not part of what is run or shipped.
      out.push(path);
    }
  }
  return out;
}

function readIn(dirs: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of dirs.flatMap(sources)) {
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(READ)) {
      const name = (m[1] ?? m[2]) as string;
      if (!found.has(name)) found.set(name, file);
    }
  }
  return found;
}

/** The variables of a section: first cell of its table rows, every `NAME` in it. */
function documented(section: string): Set<string> {
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    for (const m of (line.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)) names.add(m[1] as string);
  }
  return names;
}

function sectionOf(doc: string, heading: string): string {
  const start = doc.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`${DOC} has no "## ${heading}" section`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
}

/** The schema of the service's variables, wherever its file lives. */
async function serviceSchema(): Promise<Set<string>> {
  const file = PRODUCT.flatMap(sources).find(
    (f) => f.endsWith('.ts') && /export const ENV_SCHEMA\b/.test(readFileSync(join(ROOT, f), 'utf8')),
  );
  if (!file) throw new Error('no ENV_SCHEMA found under apps/ or libs/');
  const mod = (await import(pathToFileURL(join(ROOT, file)).href)) as { ENV_SCHEMA: { properties: Record<string, unknown> } };
  return new Set(Object.keys(mod.ENV_SCHEMA.properties));
}

describe(`${DOC} lists exactly the environment variables the code reads`, () => {
  const doc = readFileSync(join(ROOT, DOC), 'utf8');
  const service = documented(sectionOf(doc, 'The service'));
  const cli = documented(sectionOf(doc, 'The command line'));
  const tooling = documented(sectionOf(doc, 'Tests and benchmarks'));

  it('documents every variable of the service schema in "The service", and nothing else there', async () => {
    const schema = await serviceSchema();
    expect(schema.size).toBeGreaterThan(10);
    expect([...schema].filter((n) => !service.has(n))).toEqual([]);
    expect([...service].filter((n) => !schema.has(n))).toEqual([]);
  });

  it('documents every variable the service and the command line read', async () => {
    const schema = await serviceSchema();
    const missing = [...readIn(PRODUCT)].filter(([n]) => !schema.has(n) && !cli.has(n)).map(([n, file]) => `${n} (${relative('.', file)})`);
    expect(missing).toEqual([]);
  });

  it('documents every variable the tests and benchmarks read', () => {
    const all = new Set([...service, ...cli, ...tooling]);
    const missing = [...readIn(TOOLING)].filter(([n]) => !all.has(n)).map(([n, file]) => `${n} (${file})`);
    expect(missing).toEqual([]);
  });

  it('lists no variable that nothing reads any more', async () => {
    const read = new Set([...(await serviceSchema()), ...readIn(PRODUCT).keys()]);
    expect([...cli].filter((n) => !read.has(n))).toEqual([]);
    const tools = readIn(TOOLING);
    expect([...tooling].filter((n) => !tools.has(n))).toEqual([]);
  });
});
