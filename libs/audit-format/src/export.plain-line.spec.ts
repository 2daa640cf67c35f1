import fc from 'fast-check';
import { canonicalContent, type ChainedEvent } from './audit.chain.js';
import { eventLine } from './audit.export.js';
import { readPlainEvent } from './export.plain-line.js';
import { syntheticExportText } from '#test/support/audit-export.fixture';

/** What a plain reading must agree with: JSON.parse, and canonicalContent of what it parses. */
function expectSameAsParsed(raw: string): boolean {
  const plain = readPlainEvent(raw);
  if (!plain) return false;
  const e = JSON.parse(raw) as ChainedEvent;
  expect(plain).toEqual({
    seq: e.seq ?? NaN,
    tenantSeq: e.tenantSeq,
    tenantId: e.tenantId,
    canonical: canonicalContent(e),
    contentHash: e.contentHash,
    hash: e.hash,
    tenantHash: e.tenantHash,
    action: JSON.stringify(e.action),
    option: JSON.stringify(e.option),
    after: JSON.stringify(e.after),
  });
  return true;
}

describe('plain export lines (read without parsing)', () => {
  it('reads the usual exported events, global and tenant, as JSON.parse and canonicalContent do', () => {
    for (const tenant of [undefined, 1]) {
      const plain = syntheticExportText({ events: 40, tenants: 3, tenant })
        .text.split('\n')
        .filter((l) => l.startsWith('{"type":"event"'));
      expect(plain.length).toBeGreaterThan(10);
      for (const raw of plain) expect(expectSameAsParsed(raw)).toBe(true);
      // The unusual ones (nested values, escapes) are left to JSON.parse; the rest still read alike.
      const varied = syntheticExportText({ events: 40, tenants: 3, tenant, varied: true })
        .text.split('\n')
        .filter((l) => l.startsWith('{"type":"event"'));
      const read = varied.filter(expectSameAsParsed).length;
      expect(read).toBeGreaterThan(0);
      expect(read).toBeLessThan(varied.length);
    }
  });

  it('leaves to JSON.parse every value JSON.stringify would write differently or JSON.parse refuses', () => {
    const exported = syntheticExportText({ events: 12, tenants: 2 })
      .text.split('\n')
      .filter((l) => l.startsWith('{"type":"event"'));
    const literals = [
      '-0',
      '1.0',
      '1e2',
      '1E5',
      '0123',
      '9007199254740993',
      '1234567890123456',
      '-',
      '"\u0001"',
      '"\ud800"',
      '"\\u0041"',
      '"\\""',
    ];
    for (const raw of exported.slice(0, 2).concat(exported.slice(-2))) {
      for (const x of literals) {
        for (const k of ['before', 'after', 'value', 'seq', 'tenantSeq']) {
          const edited = raw.replace(new RegExp(`"${k}":[^,}]*`), `"${k}":${x}`);
          expect(edited).not.toBe(raw);
          // Read plainly only if JSON.parse reads it and canonicalContent writes it the same (else it throws or fails here).
          expectSameAsParsed(edited);
        }
        for (const k of ['at', 'id', 'name', 'action', 'option', 'reason', 'requestId']) {
          const inserted = x.replace(/^"|"$/g, '');
          const edited = raw.replace(`"${k}":"`, `"${k}":"${inserted}`);
          expect(edited).not.toBe(raw);
          // A string with an escape, a control character or a lone surrogate is never read plainly.
          if (/["\\\u0000-\u001f\ud800-\udfff]/.test(inserted)) expect(readPlainEvent(edited)).toBeNull();
          else expect(expectSameAsParsed(edited)).toBe(true);
        }
      }
    }
  });

  it('never reads a line differently from JSON.parse and canonicalContent', () => {
    // Mostly characters written as they are, now and then one that JSON escapes or that is a surrogate.
    const unit = fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom('a', 'Z', ' ', 'é', '\u007f', '\u2028', '/', ':', ',', '{', '0') },
      { weight: 1, arbitrary: fc.constantFrom('"', '\\', '\n', '\u0001', '\ud800', '\udc00', '\ud834\udd1e') },
    );
    const text = fc.string({ unit, maxLength: 5 });
    const num = fc.oneof({ weight: 6, arbitrary: fc.integer() }, fc.constantFrom(-0, 0, 1e15 - 1, 1e15, 2 ** 53, 1.5, 1e21, -1));
    const scalar = fc.oneof(fc.constant(null), fc.boolean(), num, text);
    const value = fc.oneof(
      { weight: 6, arbitrary: scalar },
      fc.array(scalar, { maxLength: 2 }),
      fc.dictionary(text, scalar, { maxKeys: 2 }),
    );
    const patch = fc.oneof(
      fc.constant(null),
      fc.record({ op: fc.constantFrom('replace', 'add', 'Replace'), path: text, value }).map((p) => [p]),
      fc.array(fc.record({ op: fc.constant('remove'), path: text }), { maxLength: 2 }),
    );
    const hash = fc.oneof({ weight: 10, arbitrary: fc.stringMatching(/^[0-9a-f]{64}$/) }, fc.constantFrom('F'.repeat(64), 'abc'));
    // Keys in the service's order (toChained).
    const event = fc.record({
      seq: num,
      tenantSeq: fc.oneof(fc.constant(null), num),
      tenantId: fc.oneof(fc.constant(null), text),
      at: text,
      actor: fc.record({ id: text, name: text, role: text }),
      action: text,
      option: fc.oneof(fc.constant(null), text),
      before: value,
      after: value,
      diff: patch,
      reason: fc.oneof(fc.constant(null), text),
      requestId: fc.oneof(fc.constant(null), text),
      contentHash: hash,
      hash,
      tenantHash: fc.oneof(fc.constant(null), hash),
    }) as fc.Arbitrary<ChainedEvent>;
    // Exported lines, and lines edited by hand: spaces, keys moved or doubled, text after the end.
    const edits = [
      (l: string) => l,
      (l: string) => l.replace(',"', ', "'),
      (l: string) => l.replace('"tenantId":', '"tenantId" :'),
      (l: string) => l.replace(/,"reason":[^,]*/, ''),
      (l: string) => l.replace('"type":"event",', '"type":"event","seq":1,'),
      (l: string) => `${l.slice(0, -2)}}`,
      (l: string) => `${l}x`,
      (l: string) => l.replace(/"after":([^,]*)/, '"after":$1,"after":$1'),
    ];
    let read = 0;
    fc.assert(
      fc.property(
        event,
        fc.constantFrom<'global' | 'tenant'>('global', 'tenant'),
        fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.nat(edits.length - 1)),
        (e, scope, k) => {
          const raw = (edits[k] as (l: string) => string)(eventLine(e, scope).slice(0, -1));
          let valid = true;
          try {
            canonicalContent(JSON.parse(raw) as ChainedEvent);
          } catch {
            valid = false;
          }
          if (!valid) return expect(readPlainEvent(raw)).toBeNull();
          if (expectSameAsParsed(raw)) read++;
        },
      ),
      { numRuns: 3000 },
    );
    expect(read).toBeGreaterThan(100);
  });
});
