import { contentHashOf, sha256Canonical } from '#change-control/content-hash';
import { GENESIS_HASH, canonicalContent, contentHash, linkHash, type AuditContent } from '#audit-format';

/**
 * Fixed vectors: the hex digests below were computed outside the code (sha256sum of the
 * canonical text written by hand), so a change of canonical form or hashing shows here.
 */
const TENANT = '11111111-1111-4111-8111-111111111111';

describe('change request content hash', () => {
  const set = {
    tenantId: TENANT,
    optionKey: 'retention_days',
    operation: 'set' as const,
    value: { b: [1, 2], a: 'é' },
    reason: 'longer retention',
    baseVersion: 3,
  };

  it('is the SHA-256 of the RFC 8785 form of what approvers approve', () => {
    // {"baseVersion":3,"operation":"set","optionKey":"retention_days","reason":"longer retention","tenantId":"1111…","value":{"a":"é","b":[1,2]}}
    expect(contentHashOf(set)).toBe('5407a87969b8385c9ae9b40368c8b4ee99f0a381c7107e1fd71510278d5ae93a');
  });

  it('hashes a reset with a null value, whatever value the request carried', () => {
    const reset = {
      tenantId: TENANT,
      optionKey: 'retention_days',
      operation: 'reset' as const,
      value: 400,
      reason: 'back to default',
      baseVersion: 0,
    };
    expect(contentHashOf(reset)).toBe('6e150dd6f6e3016da17b4d9e5ed2a56088872e3e4b9a513bba25a5b58adf03ee');
    expect(contentHashOf({ ...reset, value: { anything: true } })).toBe(contentHashOf(reset));
  });

  it('changes with every approved field and not with key order', () => {
    const base = contentHashOf(set);
    for (const edit of [
      { tenantId: '22222222-2222-4222-8222-222222222222' },
      { optionKey: 'other' },
      { operation: 'reset' as const },
      { value: { a: 'é', b: [2, 1] } },
      { reason: 'longer retention.' },
      { baseVersion: 4 },
    ]) {
      expect(contentHashOf({ ...set, ...edit })).not.toBe(base);
    }
    expect(contentHashOf({ ...set, value: { a: 'é', b: [1, 2] } })).toBe(base);
  });

  it('refuses a value that has no canonical form', () => {
    expect(() => sha256Canonical(undefined)).toThrow(/canonicalized/);
  });
});

describe('audit event content hash and chain link', () => {
  const content: AuditContent = {
    tenantId: TENANT,
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

  it('matches fixed vectors on the fast path', () => {
    expect(contentHash(content)).toBe('29c47b2d7bbe43995cf68e592c33c08cba17dc87d12007bf4c9bd1398d21df38');
    const created: AuditContent = {
      tenantId: null,
      at: '2026-12-04T00:00:00.000Z',
      actor: { id: 'system', name: 'Cloison', role: 'system' },
      action: 'tenant.created',
      option: null,
      before: null,
      after: { slug: 'alpha', name: 'Tenant "A"', riskLevel: 2 },
      diff: null,
      reason: null,
      requestId: null,
    };
    expect(contentHash(created)).toBe('e740a3c1acd6c0fdc0ec49de63043cfb6f266a26c784ecd7163f4e8bd0d5a694');
  });

  it('matches a fixed vector on the generic path (control characters are escaped as \\u00XX)', () => {
    const odd = { ...content, reason: 'tab\there\u0001' };
    expect(canonicalContent(odd)).toContain('"reason":"tab\\there\\u0001"');
    expect(contentHash(odd)).toBe('a192dc8074f9b891b825ae285cd38baae3c0c92111ba14224e04de1c4ba4c740');
  });

  it('links each event to the previous link hash: sha256(prev hex + content hex)', () => {
    expect(linkHash(GENESIS_HASH, contentHash(content))).toBe('77a33a59eb15842c82ded0ab5d18a9c910a5be56c5b31c4f7cb3f801c278deee');
  });
});
