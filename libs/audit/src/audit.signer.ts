import type { KeyObject } from 'node:crypto';
import {
  derivePublicKey,
  publicKeyFingerprint,
  publicKeyPem,
  signCheckpoint,
  type Checkpoint,
  type UnsignedCheckpoint,
} from '#audit-format';

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
