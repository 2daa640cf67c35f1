import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { GENESIS_HASH, canonicalContent, contentHash, jcs, linkHash, type AuditContent } from './audit.chain.js';
import { jsonDiff } from './audit.diff.js';

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
    fc.assert(fc.property(fc.jsonValue(), (v) => jcs(v) === canonicalize(v)), { numRuns: 2000 });
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => jcs(v) === canonicalize(v)));
    expect(canonicalContent(content)).toBe(canonicalize({ ...content, v: 1 }));
  });

  it('links as sha256 of the previous link hash and the content hash, as hex text', () => {
    const h = contentHash(content);
    expect(linkHash(GENESIS_HASH, h)).toBe(createHash('sha256').update(GENESIS_HASH + h).digest('hex'));
  });

  it('diffs containers field by field and replaces scalars whole', () => {
    expect(jsonDiff(['a', 'b'], ['a', 'c'])).toEqual([{ op: 'replace', path: '/1', value: 'c' }]);
    expect(jsonDiff({ x: 1, y: 2 }, { x: 1 })).toEqual([{ op: 'remove', path: '/y' }]);
    expect(jsonDiff(false, true)).toEqual([{ op: 'replace', path: '', value: true }]);
    expect(jsonDiff([1], { a: 1 })).toEqual([{ op: 'replace', path: '', value: { a: 1 } }]);
  });
});
