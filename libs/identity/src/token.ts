import * as crypto from 'node:crypto';
import { randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'cln_';

/** A new opaque bearer token: 256 random bits. Only its hash is ever stored. */
export function generateToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

// Every authenticated request hashes its token: one-shot crypto.hash (Node >= 20.12) is about
// three times as fast as createHash for a token.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

/** SHA-256 of the token, hex: what is stored and looked up, never the token itself. */
export const hashToken: (token: string) => string = oneShot
  ? (token) => oneShot('sha256', token, 'hex')
  : (token) => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Accepts only what generateToken could have produced (or an operator-chosen bootstrap token). */
export function looksLikeToken(token: string): boolean {
  return token.length >= 16 && token.length <= 256 && /^[\x21-\x7e]+$/.test(token);
}
