import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '#audit-format';

const PREFIX = 'cln_';

/** A new opaque bearer token: 256 random bits. Only its hash is ever stored. */
export function generateToken(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** SHA-256 of the token, hex: what is stored and looked up, never the token itself. */
export const hashToken: (token: string) => string = sha256Hex;

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Accepts only what generateToken could have produced (or an operator-chosen bootstrap token). */
export function looksLikeToken(token: string): boolean {
  return token.length >= 16 && token.length <= 256 && /^[\x21-\x7e]+$/.test(token);
}
