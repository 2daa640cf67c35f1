import { sign, verify, type KeyObject } from 'node:crypto';
import { AUDIT_FORMAT_VERSION, jcs } from './audit.chain.js';
import { derivePublicKey, parsePublicKey, publicKeyFingerprint } from './audit.signing.js';

/**
 * "The service's signing key `from` is succeeded by `to` from `at` on", signed by both keys:
 * the old key's signature lets a reviewer who trusts the old key accept the new one, the new
 * key's lets a reviewer who took the current key accept checkpoints signed before the rotation.
 */
export interface KeyRotation {
  from: string;
  /** SPKI DER, base64. */
  fromKey: string;
  to: string;
  toKey: string;
  at: string;
  /** Ed25519 signature (base64) of rotationPayload() by the old key. */
  signature: string;
  /** The same bytes signed by the new key. */
  successorSignature: string;
}

type UnsignedRotation = Omit<KeyRotation, 'signature' | 'successorSignature'>;

/** The exact bytes both keys sign: RFC 8785 canonical JSON, like checkpoints. */
export function rotationPayload(r: UnsignedRotation): Buffer {
  return Buffer.from(
    jcs({ v: AUDIT_FORMAT_VERSION, type: 'key-rotation', from: r.from, fromKey: r.fromKey, to: r.to, toKey: r.toKey, at: r.at }),
    'utf8',
  );
}

const spki = (k: KeyObject): string => k.export({ type: 'spki', format: 'der' }).toString('base64');

export function signRotation(oldKey: KeyObject, newKey: KeyObject, at = new Date()): KeyRotation {
  const [oldPublic, newPublic] = [derivePublicKey(oldKey), derivePublicKey(newKey)];
  const body: UnsignedRotation = {
    from: publicKeyFingerprint(oldPublic),
    fromKey: spki(oldPublic),
    to: publicKeyFingerprint(newPublic),
    toKey: spki(newPublic),
    at: at.toISOString(),
  };
  const payload = rotationPayload(body);
  return {
    ...body,
    signature: sign(null, payload, oldKey).toString('base64'),
    successorSignature: sign(null, payload, newKey).toString('base64'),
  };
}

/** Both keys as named by their fingerprints, both signatures valid; else null. */
function checkedKeys(r: KeyRotation): { from: KeyObject; to: KeyObject } | null {
  try {
    const from = parsePublicKey(r.fromKey);
    const to = parsePublicKey(r.toKey);
    if (publicKeyFingerprint(from) !== r.from || publicKeyFingerprint(to) !== r.to) return null;
    const payload = rotationPayload(r);
    const ok =
      verify(null, payload, from, Buffer.from(r.signature, 'base64')) &&
      verify(null, payload, to, Buffer.from(r.successorSignature, 'base64'));
    return ok ? { from, to } : null;
  } catch {
    return null;
  }
}

/**
 * The keys a reviewer holding `trusted` may accept: that key, and every key linked to it
 * through valid rotation statements (in either direction, since both keys sign each statement).
 * Statements that do not verify, or link only untrusted keys, add nothing.
 */
export function trustedKeys(trusted: KeyObject, rotations: readonly KeyRotation[] = []): Map<string, KeyObject> {
  const keys = new Map([[publicKeyFingerprint(trusted), trusted]]);
  const valid = rotations.map(checkedKeys).filter((k): k is { from: KeyObject; to: KeyObject } => k !== null);
  for (let grew = true; grew; ) {
    grew = false;
    for (const { from, to } of valid) {
      const [f, t] = [publicKeyFingerprint(from), publicKeyFingerprint(to)];
      if (keys.has(f) !== keys.has(t)) {
        keys.set(f, from).set(t, to);
        grew = true;
      }
    }
  }
  return keys;
}

/** True when the statement's signatures hold and it names `from` → `to`. */
export function rotationValid(r: KeyRotation, from: string, to: string): boolean {
  return r.from === from && r.to === to && checkedKeys(r) !== null;
}
