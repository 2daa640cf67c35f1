import { createPublicKey, type KeyObject } from 'node:crypto';
import { keyIdOf, signSealDocument, type SealDocument } from '#audit-format';

/** Signs seal documents with the service key (the one that signs audit checkpoints). */
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
