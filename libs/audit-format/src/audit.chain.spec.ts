import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { GENESIS_HASH, canonicalContent, contentHash, jcs, linkHash, type AuditContent } from './audit.chain.js';
import { jsonDiff } from './audit.diff.js';
import { fuzzRuns } from '#test/support/fuzz-runs';

const content: AuditContent = {
  tenantId: '11111111-1111-4111-8111-111111111111',
  at: '2026-11-26T10:00:00.000Z',
  actor: { id: 'a1', name: 'Ann', role: 'operator' },
  action: 'option.set',
  option: 'retention_days',
  before: 365,
  after: 400,
  diff: [{ op: 'replace', path: '', value: 400 }],
  reason: 'longer retention, é',
  requestId: 'r1',
};

describe('audit hashing (format 1)', () => {
  it('hashes RFC 8785 canonical JSON: sorted keys, no whitespace, UTF-8', () => {
    expect(canonicalContent(content)).toBe(
      '{"action":"option.set","actor":{"id":"a1","name":"Ann","role":"operator"},"after":400,"at":"2026-11-26T10:00:00.000Z",' +
        '"before":365,"diff":[{"op":"replace","path":"","value":400}],"option":"retention_days","reason":"longer retention, é",' +
        '"requestId":"r1","tenantId":"11111111-1111-4111-8111-111111111111","v":1}',
    );
    expect(contentHash(content)).toBe(createHash('sha256').update(canonicalContent(content), 'utf8').digest('hex'));
    expect(contentHash({ ...content, after: { b: 1, a: 2 } })).toBe(contentHash({ ...content, after: { a: 2, b: 1 } }));
    expect(contentHash({ ...content, reason: 'x' })).not.toBe(contentHash(content));
  });

  it('serialises any JSON value exactly as the canonicalize package (RFC 8785 reference)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => jcs(v) === canonicalize(v)),
      { numRuns: fuzzRuns(2000) },
    );
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => jcs(v) === canonicalize(v)));
    expect(canonicalContent(content)).toBe(canonicalize({ ...content, v: 1 }));
  });

  it('writes any content exactly as jcs would, through the fast path or not', () => {
    // Characters that need escaping, lone surrogates (refused), astral and non-ASCII ones.
    const unit = fc.oneof(
      fc.constantFrom('a', 'Z', '0', '9', '"', '\\', '\n', '\u0001', '\u007f', 'é', '\u2028', '\ud800', '\udfff', '\ud834\udd1e', '\uffff'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    const text = fc.string({ unit, maxLength: 6 });
    const key = fc.oneof(text, fc.constantFrom('10', '9', '0', '-1', '1.5', '__proto__', 'toJSON', ''));
    const odd = fc.constantFrom<unknown>(
      undefined,
      new Date(0),
      Object.create(null),
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -0,
      1e21,
      5e-324,
      // biome-ignore lint/suspicious/noSparseArray: a hole must hash as JSON.stringify writes it (null)
      [1, , 3],
      [undefined],
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ stringUnit: unit }),
        odd,
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(key, tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    const nullable = fc.oneof(fc.constant(null), text);
    const wellFormed = fc.record(
      {
        tenantId: nullable,
        at: text,
        actor: fc.record({ id: text, name: text, role: text }),
        action: text,
        option: nullable,
        before: value,
        after: value,
        diff: value,
        reason: nullable,
        requestId: nullable,
      },
      { requiredKeys: ['tenantId', 'at', 'actor', 'action', 'option', 'reason', 'requestId'] },
    );
    const anything = fc.oneof(nullable, value);
    const illFormed = fc.record(
      {
        tenantId: anything,
        at: anything,
        actor: fc.oneof(fc.record({ id: anything, name: text, role: text }), anything),
        action: anything,
        option: anything,
        before: value,
        after: value,
        diff: value,
        reason: anything,
        requestId: anything,
      },
      { requiredKeys: [] },
    );
    const content = fc.oneof({ weight: 4, arbitrary: wellFormed }, { weight: 1, arbitrary: illFormed }) as fc.Arbitrary<AuditContent>;
    const outcome = (f: () => string) => {
      try {
        return f();
      } catch (err) {
        return `throws ${(err as Error).message}`;
      }
    };
    // The reference: every field through jcs, keys given in no particular order.
    const reference = (c: AuditContent) =>
      jcs({
        v: 1,
        tenantId: c.tenantId,
        requestId: c.requestId,
        reason: c.reason,
        option: c.option,
        diff: c.diff ?? null,
        before: c.before ?? null,
        at: c.at,
        after: c.after ?? null,
        actor: { role: c.actor.role, name: c.actor.name, id: c.actor.id },
        action: c.action,
      });
    const isWellFormed = (c: AuditContent) =>
      [c.action, c.at, c.actor?.id, c.actor?.name, c.actor?.role].every((x) => typeof x === 'string') &&
      [c.option, c.reason, c.requestId, c.tenantId].every((x) => x === null || typeof x === 'string');
    fc.assert(
      fc.property(content, (c) => {
        const got = outcome(() => canonicalContent(c));
        // Ill-typed fields may serialise differently (jcs skips an undefined key): only a well-formed content is compared whole.
        if (isWellFormed(c)) expect(got).toBe(outcome(() => reference(c)));
        if (!got.startsWith('throws')) expect(got).toBe(outcome(() => reference(c)));
      }),
      { numRuns: fuzzRuns(3000) },
    );
  });

  it('links as sha256 of the previous link hash and the content hash, as hex text', () => {
    const h = contentHash(content);
    expect(linkHash(GENESIS_HASH, h)).toBe(
      createHash('sha256')
        .update(GENESIS_HASH + h)
        .digest('hex'),
    );
  });

  it('diffs containers field by field and replaces scalars whole', () => {
    expect(jsonDiff(['a', 'b'], ['a', 'c'])).toEqual([{ op: 'replace', path: '/1', value: 'c' }]);
    expect(jsonDiff({ x: 1, y: 2 }, { x: 1 })).toEqual([{ op: 'remove', path: '/y' }]);
    expect(jsonDiff(false, true)).toEqual([{ op: 'replace', path: '', value: true }]);
    expect(jsonDiff([1], { a: 1 })).toEqual([{ op: 'replace', path: '', value: { a: 1 } }]);
  });
});
