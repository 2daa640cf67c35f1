import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { AUDIT_FORMAT_VERSION, jcs } from './audit.chain.js';

/** A signed statement: "chain `chain` had `seq` events and its head link hash was `head` at `at`". */
export interface Checkpoint {
  chain: string;
  seq: number;
  head: string;
  at: string;
  /** Fingerprint of the signing public key (see publicKeyFingerprint). */
  key: string;
  /** Ed25519 signature (base64) of checkpointPayload(). */
  signature: string;
}

export const CHECKPOINT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['chain', 'seq', 'head', 'at', 'key', 'signature'],
  properties: {
    chain: { type: 'string' },
    seq: { type: 'integer' },
    head: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    key: { type: 'string' },
    signature: { type: 'string' },
  },
} as const;

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

/** The exact bytes signed: RFC 8785 canonical JSON of the checkpoint fields and the format version. */
export function checkpointPayload(c: UnsignedCheckpoint): Buffer {
  return Buffer.from(jcs({ v: AUDIT_FORMAT_VERSION, chain: c.chain, seq: c.seq, head: c.head, at: c.at, key: c.key }), 'utf8');
}

export function signCheckpoint(c: UnsignedCheckpoint, privateKey: KeyObject): Checkpoint {
  return { ...c, signature: sign(null, checkpointPayload(c), privateKey).toString('base64') };
}

export function checkpointSignatureValid(c: Checkpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, checkpointPayload(c), publicKey, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

// Each verification names its trusted key's fingerprint again (header, chains, rotations), and exporting a key
// costs about as much as checking a signature; a KeyObject never changes, so its fingerprint is kept with it.
const fingerprints = new WeakMap<KeyObject, string>();

/** "sha256:" + hex sha256 of the DER (SPKI) public key. */
export function publicKeyFingerprint(publicKey: KeyObject): string {
  let fingerprint = fingerprints.get(publicKey);
  if (fingerprint === undefined) {
    fingerprint = `sha256:${createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex')}`;
    fingerprints.set(publicKey, fingerprint);
  }
  return fingerprint;
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export function generateSigningKey(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

/** A PKCS#8 private key, PEM or base64 of the DER; only Ed25519 is accepted. */
export function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  const key = trimmed.startsWith('-----BEGIN')
    ? createPrivateKey(trimmed)
    : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`audit signing key must be Ed25519, not ${key.asymmetricKeyType}`);
  return key;
}

/** An SPKI public key, PEM or base64 of the DER; only Ed25519 is accepted. */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  const key = trimmed.startsWith('-----BEGIN')
    ? createPublicKey(trimmed)
    : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`audit public key must be Ed25519, not ${key.asymmetricKeyType}`);
  return key;
}

export function derivePublicKey(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}
