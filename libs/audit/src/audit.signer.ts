import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import {
  derivePublicKey,
  generateSigningKey,
  parsePrivateKey,
  publicKeyFingerprint,
  publicKeyPem,
  signCheckpoint,
  type Checkpoint,
  type UnsignedCheckpoint,
} from '#audit-format';

export const SIGNING_KEY_FILE = 'audit-signing-key.pem';

export interface SigningKeySource {
  /** PKCS#8 Ed25519 private key, PEM or base64 DER (CLOISON_AUDIT_SIGNING_KEY). */
  configured?: string;
  /** Where a generated key is kept when none is configured (CLOISON_SECRETS_DIR); undefined = a key for this process only. */
  dir?: string;
  /** The data folder, where earlier releases kept the generated key: one found there is moved to `dir`. */
  dataDir?: string;
}

export type SigningKeyOrigin = 'configured' | 'file' | 'moved' | 'generated' | 'ephemeral';

/**
 * Loads the checkpoint signing key: configured, else the one kept in `dir` (generated on first
 * start, mode 0600), else an ephemeral key (tests, in-memory runs). A key an earlier release left
 * in the data folder is moved out first (origin 'moved'): copies of that folder still hold it.
 */
export function loadSigningKey(source: SigningKeySource): { key: KeyObject; origin: SigningKeyOrigin } {
  if (source.configured) return { key: parsePrivateKey(source.configured), origin: 'configured' };
  if (!source.dir) return { key: generateSigningKey(), origin: 'ephemeral' };
  const file = join(source.dir, SIGNING_KEY_FILE);
  mkdirSync(source.dir, { recursive: true, mode: 0o700 });
  const left = source.dataDir ? join(source.dataDir, SIGNING_KEY_FILE) : undefined;
  if (left && existsSync(left)) {
    if (existsSync(file)) {
      throw new Error(`two audit signing keys: ${file} and ${left}; keep the one the published key matches and delete the other`);
    }
    // Written beside, then removed from the data folder: never a moment without the key on disk.
    writeFileSync(file, readFileSync(left), { mode: 0o600, flag: 'wx' });
    rmSync(left);
    return { key: parsePrivateKey(readFileSync(file, 'utf8')), origin: 'moved' };
  }
  if (existsSync(file)) return { key: parsePrivateKey(readFileSync(file, 'utf8')), origin: 'file' };
  const key = generateSigningKey();
  const pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  // 'wx': never overwrite a key another process wrote meanwhile.
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: parsePrivateKey(readFileSync(file, 'utf8')), origin: 'file' };
    throw err;
  }
  return { key, origin: 'generated' };
}

/** Holds the private key; only signs checkpoints. */
export class AuditSigner {
  readonly publicKey: KeyObject;
  readonly fingerprint: string;

  constructor(private readonly privateKey: KeyObject) {
    this.publicKey = derivePublicKey(privateKey);
    this.fingerprint = publicKeyFingerprint(this.publicKey);
  }

  sign(c: Omit<UnsignedCheckpoint, 'key'>): Checkpoint {
    return signCheckpoint({ ...c, key: this.fingerprint }, this.privateKey);
  }

  publicKeyPem(): string {
    return publicKeyPem(this.publicKey);
  }

  publicKeyBase64(): string {
    return this.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  }
}
