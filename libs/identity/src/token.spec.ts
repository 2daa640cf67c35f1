import { generateToken, hashToken, looksLikeToken, sameHash } from './token.js';

describe('tokens', () => {
  it('are 256 random bits behind a prefix, stored as a SHA-256 hex digest', () => {
    const a = generateToken();
    expect(a).toMatch(/^cln_[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(a)).not.toContain(a);
  });

  it('compare hashes in constant time, and never equal across lengths or garbage', () => {
    const h = hashToken('cln_example-token-value');
    expect(sameHash(h, h)).toBe(true);
    expect(sameHash(h, hashToken('cln_example-token-valuf'))).toBe(false);
    expect(sameHash(h, h.slice(0, 62))).toBe(false);
    expect(sameHash(h, '')).toBe(false);
    expect(sameHash(h, 'zz'.repeat(32))).toBe(false);
  });

  it('reject what could not be a token before any lookup', () => {
    for (const bad of ['', 'short', 'x'.repeat(257), 'has space in it here', 'tab\there-and-more-chars', 'é'.repeat(20)]) {
      expect(looksLikeToken(bad)).toBe(false);
    }
    expect(looksLikeToken(generateToken())).toBe(true);
  });
});
