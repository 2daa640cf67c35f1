import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { rateLimitKey } from './http-hardening.js';

const request = (authorization: string | undefined, ip = '192.0.2.7') => ({ headers: { authorization }, ip }) as unknown as FastifyRequest;

describe('rate limit key', () => {
  it('is the token digest createHash gives (keys stay as they were), never the token', () => {
    for (const token of ['cln_abc', `cln_${'x'.repeat(43)}`, 'tøken-ünïcode', 'a'.repeat(512)]) {
      const key = rateLimitKey(request(`Bearer ${token}`));
      expect(key).toBe(`token:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`);
      expect(key).not.toContain(token);
    }
  });

  it('counts requests without a usable bearer token against the address', () => {
    expect(rateLimitKey(request(undefined))).toBe('ip:192.0.2.7');
    expect(rateLimitKey(request('Basic abc'))).toBe('ip:192.0.2.7');
    expect(rateLimitKey(request(`Bearer ${'a'.repeat(513)}`))).toBe('ip:192.0.2.7');
  });
});
