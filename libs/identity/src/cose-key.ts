import type { JsonWebKey } from 'node:crypto';
import { decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';

const CURVES: Record<number, string> = { 1: 'P-256', 2: 'P-384', 3: 'P-521', 6: 'Ed25519' };
const b64u = (v: unknown): string => {
  if (!(v instanceof Uint8Array)) throw new Error('COSE key field missing');
  return Buffer.from(v).toString('base64url');
};

/**
 * A passkey's COSE public key as a JWK: the form its enrolment is recorded in, which node:crypto
 * reads without a CBOR decoder (offline verification needs nothing else).
 */
export function coseToJwk(cose: Uint8Array): JsonWebKey {
  // COSE labels (RFC 9052/9053): 1 kty, -1 crv or n, -2 x or e, -3 y.
  const m = decodeCredentialPublicKey(new Uint8Array(cose)) as unknown as Map<number, unknown>;
  const kty = m.get(1);
  if (kty === 2) {
    const crv = CURVES[m.get(-1) as number];
    if (!crv || crv === 'Ed25519') throw new Error('unsupported EC2 curve');
    return { kty: 'EC', crv, x: b64u(m.get(-2)), y: b64u(m.get(-3)) };
  }
  if (kty === 1) {
    if (m.get(-1) !== 6) throw new Error('unsupported OKP curve');
    return { kty: 'OKP', crv: 'Ed25519', x: b64u(m.get(-2)) };
  }
  if (kty === 3) return { kty: 'RSA', n: b64u(m.get(-1)), e: b64u(m.get(-2)) };
  throw new Error(`unsupported COSE key type ${String(kty)}`);
}
