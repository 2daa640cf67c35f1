import fc from 'fast-check';
import { Buffer } from 'node:buffer';
import { verifyExportBytes, verifyExportStream } from './export.verifier.js';
import { TAMPERINGS, syntheticExportText } from '#test/support/audit-export.fixture';

/** Splits bytes at the given offsets (also inside a UTF-8 sequence), as a stream would. */
async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...cuts.map((x) => x % (bytes.length + 1))].sort((a, b) => a - b)) {
    yield bytes.subarray(at, c);
    at = c;
  }
  yield bytes.subarray(at);
}

describe('export verification in batches', () => {
  const global = syntheticExportText({ events: 60, tenants: 4, checkpointEvery: 7, varied: true });
  const tenant = syntheticExportText({ events: 80, tenants: 3, checkpointEvery: 5, varied: true, tenant: 1 });

  it('verifies intact exports, whatever the batch size', async () => {
    for (const x of [global, tenant]) {
      const expected = await verifyExportStream([x.text], x.publicKey);
      expect(expected).toMatchObject({ ok: true });
      for (const batchBytes of [64, 700, 5000, 1 << 20]) {
        expect(await verifyExportBytes(chunked(Buffer.from(x.text), [13, 4000]), x.publicKey, { workers: 0, batchBytes })).toEqual(
          expected,
        );
      }
    }
  });

  it('reports the same first failure, line and reason as the line-by-line verifier for any tampering', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(fc.tuple(fc.constantFrom(...Object.keys(TAMPERINGS)), fc.nat()), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 6000 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (isGlobal, tamperings, batchBytes, cuts, truncateAt) => {
          const x = isGlobal ? global : tenant;
          const lines = x.text.split('\n').slice(0, -1);
          for (const [name, at] of tamperings) {
            try {
              (TAMPERINGS[name] as (l: string[], i: number) => void)(lines, at % lines.length);
            } catch {
              // Not applicable to that line (already not JSON).
            }
          }
          let bytes = Buffer.from(`${lines.join('\n')}\n`);
          if (truncateAt !== undefined) bytes = bytes.subarray(0, truncateAt % bytes.length);
          const reference = await verifyExportStream([bytes.toString('utf8')], x.publicKey);
          expect(await verifyExportBytes(chunked(bytes, cuts), x.publicKey, { workers: 0, batchBytes })).toEqual(reference);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('agrees with the line-by-line verifier on every single tampering at every line', async () => {
    const small = [
      syntheticExportText({ events: 25, tenants: 3, checkpointEvery: 4, varied: true }),
      syntheticExportText({ events: 40, tenants: 3, checkpointEvery: 3, varied: true, tenant: 2 }),
    ];
    for (const x of small) {
      const original = x.text.split('\n').slice(0, -1);
      for (const [name, tamper] of Object.entries(TAMPERINGS)) {
        for (let i = 0; i < original.length; i++) {
          const lines = [...original];
          try {
            tamper(lines, i);
          } catch {
            continue;
          }
          const text = `${lines.join('\n')}\n`;
          const reference = await verifyExportStream([text], x.publicKey);
          const got = await verifyExportBytes(chunked(Buffer.from(text), []), x.publicKey, { workers: 0, batchBytes: 3000 });
          if (JSON.stringify(got) !== JSON.stringify(reference)) expect({ name, i, got }).toEqual({ name, i, got: reference });
        }
      }
    }
  });

  it('names the exact line and sequence number of the first of several failures', async () => {
    const lines = global.text.split('\n');
    const lineOf = (seq: number) => lines.findIndex((l) => l.includes(`"seq":${seq},`));
    for (const seq of [41, 12]) TAMPERINGS.reason?.(lines, lineOf(seq));
    const bytes = Buffer.from(lines.join('\n'));
    for (const batchBytes of [100, 3000, 1 << 20]) {
      expect(await verifyExportBytes(chunked(bytes, []), global.publicKey, { workers: 0, batchBytes })).toEqual({
        ok: false,
        checked: 12,
        firstBrokenSeq: 12,
        line: lineOf(12) + 1,
        reason: 'event 12 does not match its content hash: its content was altered',
        valuesChecked: 0,
        approvals: [],
      });
    }
  });

  it('refuses a line that is JSON but not an object instead of failing', async () => {
    const lines = global.text.split('\n');
    lines.splice(3, 0, 'null');
    const result = await verifyExportBytes(chunked(Buffer.from(lines.join('\n')), []), global.publicKey, { workers: 0 });
    expect(result).toMatchObject({ ok: false, line: 4, reason: 'line is not a JSON object' });
  });
});
