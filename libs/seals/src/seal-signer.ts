import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyIdOf, signSealDocument, type SealDocument } from './seal-document.js';

export const SEAL_KEY_FILE = 'seal-signing-key.pem';

/**
 * The service key that signs seal documents: kept in the data directory (generated on first
 * start, mode 0600), or for this process only when there is no data directory (tests).
 */
export function loadSealKey(dataDir: string | undefined): KeyObject {
  if (!dataDir) return generateKeyPairSync('ed25519').privateKey;
  const file = join(dataDir, SEAL_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  if (existsSync(file)) return createPrivateKey(readFileSync(file, 'utf8'));
  const key = generateKeyPairSync('ed25519').privateKey;
  try {
    // 'wx': never overwrite a key another process wrote meanwhile.
    writeFileSync(file, key.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return createPrivateKey(readFileSync(file, 'utf8'));
    throw err;
  }
  return key;
}

export class SealSigner {
  readonly publicKey: string;
  readonly keyId: string;

  constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
    this.keyId = keyIdOf(this.publicKey);
  }

  sign(doc: Omit<SealDocument, 'signature' | 'publicKey' | 'keyId'>): SealDocument {
    return signSealDocument({ ...doc, publicKey: this.publicKey, keyId: this.keyId }, this.privateKey);
  }
}
