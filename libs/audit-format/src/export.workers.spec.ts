import swc from '@swc/core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyExportStream } from './export.verifier.js';
import { TAMPERINGS, syntheticExportText } from '#test/support/audit-export.fixture';

/**
 * The worker threads themselves: test runs load this library from its TypeScript sources, where
 * no worker script can start, so the library is compiled to a scratch folder and run by a
 * separate Node process, as `cloison audit verify` runs it.
 */
describe('export verification with worker threads', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cloison-verifier-'));
    const src = dirname(fileURLToPath(import.meta.url));
    for (const f of readdirSync(src).filter((n) => n.endsWith('.ts') && !n.endsWith('.spec.ts'))) {
      const { code } = swc.transformFileSync(join(src, f), {
        jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2022' },
        module: { type: 'es6' },
      });
      writeFileSync(join(dir, f.replace(/\.ts$/, '.js')), code);
    }
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Verifies each file in a fresh process with two workers (whatever the cores) and small batches; the results in order. */
  function verifyInWorkers(files: string[], publicKeyBase64: string): unknown[] {
    const script = `
      import { createReadStream } from 'node:fs';
      import { verifyExportBytes } from './export.verifier.js';
      import { parsePublicKey } from './audit.signing.js';
      const key = parsePublicKey(process.argv[2]);
      const results = [];
      for (const file of process.argv.slice(3)) {
        results.push(await verifyExportBytes(createReadStream(file, { highWaterMark: 4096 }), key, { workers: 2, batchBytes: 16384, parallelFrom: 0 }));
      }
      process.stdout.write(JSON.stringify(results));`;
    writeFileSync(join(dir, 'run.mjs'), script);
    return JSON.parse(execFileSync(process.execPath, [join(dir, 'run.mjs'), publicKeyBase64, ...files], { encoding: 'utf8' })) as unknown[];
  }

  it('reports what the line-by-line verifier reports, the earliest failure first', async () => {
    const x = syntheticExportText({ events: 2000, tenants: 7, checkpointEvery: 50, varied: true });
    const original = x.text.split('\n').slice(0, -1);
    const lineOf = (seq: number) => original.findIndex((l) => l.includes(`"seq":${seq},`));
    const cases: [string, number][][] = [
      [],
      [['reason', lineOf(1500)]],
      // Two failures far apart: the later batch may well be digested first.
      [
        ['reason', lineOf(1800)],
        ['rehashed', lineOf(700)],
      ],
      [['rewritten', lineOf(1234)]],
      [['rewrittenOddTenant', lineOf(999)]],
      [['deleted', lineOf(1000)]],
      [['swapped', lineOf(321)]],
      [['notJson', lineOf(1999)]],
      [['tenantHashNull', lineOf(17)]],
      [['checkpointHead', lineOf(1500) + 1]],
      [['endDropped', 0]],
    ];
    const files: string[] = [];
    const expected: unknown[] = [];
    for (const [k, tamperings] of cases.entries()) {
      const lines = [...original];
      for (const [name, at] of tamperings) TAMPERINGS[name]?.(lines, at);
      const text = `${lines.join('\n')}\n`;
      files.push(join(dir, `export-${k}.jsonl`));
      writeFileSync(files[k] as string, text);
      expected.push(await verifyExportStream([text], x.publicKey));
    }
    expect(expected[0]).toMatchObject({ ok: true, checked: 2000 });
    expect(expected[2]).toMatchObject({ ok: false, firstBrokenSeq: 700, line: lineOf(700) + 1 });
    expect(verifyInWorkers(files, x.publicKeyBase64)).toEqual(expected);
  });
});
