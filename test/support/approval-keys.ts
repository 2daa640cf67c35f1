import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { signStatement, statementHash, type ApprovalStatement, type ApprovalProof } from '#audit-format';
import { publicKeyFingerprint } from '#audit-format';

const b64u = (b: Buffer | Uint8Array) => Buffer.from(b).toString('base64url');
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();

/** An Ed25519 approval key as `cloison keys create` makes one. */
export function ed25519Key() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: publicKeyFingerprint(publicKey),
    sign: (s: ApprovalStatement): ApprovalProof => signStatement(s, privateKey),
  };
}

/**
 * A software passkey (P-256, attestation "none") that answers registration and assertion
 * ceremonies as a browser would hand them to the service.
 */
export class SoftPasskey {
  readonly credentialId = randomBytes(16);
  private readonly key: KeyObject;
  private readonly jwk: { x: string; y: string };
  private counter = 0;
  fingerprint = '';

  constructor(
    readonly rpId = 'localhost',
    readonly origin = 'http://localhost:3000',
    private readonly verifiesUser = true,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = privateKey;
    this.jwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
    this.fingerprint = publicKeyFingerprint(publicKey);
  }

  private flags(extra = 0) {
    return 0x01 | (this.verifiesUser ? 0x04 : 0) | extra;
  }

  register(challenge: string) {
    const cose = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(this.jwk.x, 'base64url')],
        [-3, Buffer.from(this.jwk.y, 'base64url')],
      ]),
    );
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      sha256(this.rpId),
      Buffer.from([this.flags(0x40)]),
      Buffer.alloc(4),
      Buffer.alloc(16),
      idLen,
      this.credentialId,
      Buffer.from(cose),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]) as never,
    );
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge, origin: this.origin, crossOrigin: false }));
    return {
      id: b64u(this.credentialId),
      rawId: b64u(this.credentialId),
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: ['internal'] },
    };
  }

  /** An assertion whose challenge is the statement's hash, as the console asks for one. */
  sign(s: ApprovalStatement): ApprovalProof {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(++this.counter);
    const authData = Buffer.concat([sha256(this.rpId), Buffer.from([this.flags()]), counter]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: 'webauthn.get', challenge: b64u(statementHash(s)), origin: this.origin, crossOrigin: false }),
    );
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), { key: this.key, dsaEncoding: 'der' });
    return {
      kind: 'webauthn',
      key: this.fingerprint,
      at: s.at,
      credentialId: b64u(this.credentialId),
      authenticatorData: b64u(authData),
      clientDataJSON: b64u(clientDataJSON),
      signature: b64u(signature),
    };
  }
}
