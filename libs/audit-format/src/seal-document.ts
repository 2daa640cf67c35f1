import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';

/** What a seal fingerprints: the tenant's effective configuration and the registry versions. */
export interface SealedState {
  tenant: { id: string; slug: string };
  /** Option key → effective value. */
  configuration: Record<string, unknown>;
  /** Option key → catalog definition version. */
  registry: Record<string, number>;
}

export interface SealDocument {
  type: 'cloison.seal/v1';
  sealId: string;
  label: string;
  activatedAt: string;
  approvals: { principal: string; name: string; role: string; at: string }[];
  state: SealedState;
  /** SHA-256 (hex) of the canonical JSON of `state`. */
  fingerprint: string;
  /** The service's Ed25519 public key (SPKI DER, base64) and its SHA-256 (hex). */
  publicKey: string;
  keyId: string;
  /** Ed25519 signature (base64) over the canonical JSON of every field above. */
  signature: string;
}

function canonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be canonicalized');
  return text;
}

export function fingerprintOf(state: SealedState): string {
  return createHash('sha256').update(canonical(state)).digest('hex');
}

export function keyIdOf(publicKeyBase64: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyBase64, 'base64')).digest('hex');
}

export function signSealDocument(doc: Omit<SealDocument, 'signature'>, privateKey: KeyObject): SealDocument {
  const signature = sign(null, Buffer.from(canonical(doc)), privateKey).toString('base64');
  return { ...doc, signature };
}

export interface SealDocumentCheck {
  /** The signature matches the document and its embedded public key. */
  signatureValid: boolean;
  /** The fingerprint is the hash of the document's own state. */
  fingerprintValid: boolean;
  /** The embedded key id is the hash of the embedded key. */
  keyIdValid: boolean;
  valid: boolean;
}

/**
 * Checks a seal document on its own, offline: nothing but the document is needed. Whoever
 * verifies also compares `keyId` with the service key they trust.
 */
export function verifySealDocument(doc: SealDocument): SealDocumentCheck {
  const { signature, ...unsigned } = doc;
  let signatureValid = false;
  try {
    const key = createPublicKey({ key: Buffer.from(doc.publicKey, 'base64'), format: 'der', type: 'spki' });
    signatureValid = verify(null, Buffer.from(canonical(unsigned)), key, Buffer.from(signature, 'base64'));
  } catch {
    signatureValid = false;
  }
  const fingerprintValid = fingerprintOf(doc.state) === doc.fingerprint;
  const keyIdValid = keyIdOf(doc.publicKey) === doc.keyId;
  return { signatureValid, fingerprintValid, keyIdValid, valid: signatureValid && fingerprintValid && keyIdValid };
}
