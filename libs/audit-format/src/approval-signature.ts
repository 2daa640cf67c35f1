import { createHash, createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { jcs } from './audit.chain.js';
import { publicKeyFingerprint } from './audit.signing.js';

/**
 * What an approver signs, and how a signature is checked: by the service when the approval
 * arrives and by anyone holding an export, offline. Pure node:crypto, nothing else.
 */
export const SIGNED_ACTIONS = [
  'change_request.approve',
  'seal.approve',
  'seal.lift',
  'seal.break_glass',
  'tenant.lower_signed_approvals',
] as const;
export type SignedAction = (typeof SIGNED_ACTIONS)[number];

/** The audit action that records each signed action. */
export const SIGNED_EVENT_ACTIONS: Record<string, SignedAction> = {
  'change_request.approved': 'change_request.approve',
  'seal.approved': 'seal.approve',
  'seal.lift_approved': 'seal.lift',
  'seal.break_glass_approved': 'seal.break_glass',
};

export interface ApprovalStatement {
  action: SignedAction;
  /** Tenant id (UUID). */
  tenant: string;
  /** Change request id or seal id. */
  subject: string;
  /** Hash of what is approved: the request's content hash, or sealContentHash for seals. */
  contentHash: string;
  /** Principal id of the approver. */
  approver: string;
  /** When the approver signed (ISO 8601, UTC). */
  at: string;
}

/** A signature older or further ahead than this is refused (and fails offline verification). */
export const SIGNATURE_MAX_SKEW_MS = 5 * 60 * 1000;

export const STATEMENT_TYPE = 'cloison.approval/v1';

/** RFC 8785 canonical JSON of the statement. */
export function statementText(s: ApprovalStatement): string {
  return jcs({
    type: STATEMENT_TYPE,
    action: s.action,
    tenant: s.tenant,
    subject: s.subject,
    contentHash: s.contentHash,
    approver: s.approver,
    at: s.at,
  });
}

/** SHA-256 of the canonical statement: the bytes an Ed25519 key signs and a passkey's challenge. */
export function statementHash(s: ApprovalStatement): Buffer {
  return createHash('sha256').update(statementText(s), 'utf8').digest();
}

/**
 * What lowering a tenant's signed-approvals setting approves: the tenant, the new value and the
 * reason given (the statement's subject is the tenant itself).
 */
export function signedApprovalsContentHash(tenantId: string, signedApprovals: boolean, reason: string): string {
  const text = jcs({ tenant: tenantId, setting: 'signed_approvals', value: signedApprovals, reason });
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What a seal approval approves: the seal as proposed, the purpose, and the reason given. */
export function sealContentHash(
  seal: { tenantId: string; id: string; label: string; requiredApprovals: number },
  purpose: 'activate' | 'lift' | 'break_glass',
  reason: string | null,
): string {
  const text = jcs({ tenant: seal.tenantId, seal: seal.id, label: seal.label, requiredApprovals: seal.requiredApprovals, purpose, reason });
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface Ed25519Proof {
  kind: 'ed25519';
  /** Fingerprint of the enrolled key. */
  key: string;
  at: string;
  /** base64url signature over statementHash. */
  signature: string;
}

export interface WebAuthnProof {
  kind: 'webauthn';
  key: string;
  at: string;
  /** base64url credential id. */
  credentialId: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
}

export type ApprovalProof = Ed25519Proof | WebAuthnProof;

/** An enrolled key as its enrolment event records it. */
export interface EnrolledKey {
  fingerprint: string;
  kind: 'ed25519' | 'webauthn';
  publicKeyJwk: JsonWebKey;
  /** Passkeys: the relying party id their assertions must name. */
  rpId?: string;
  credentialId?: string;
}

/** Signs the statement with a local Ed25519 key (`cloison approve`, automation). */
export function signStatement(statement: ApprovalStatement, privateKey: KeyObject): Ed25519Proof {
  return {
    kind: 'ed25519',
    key: publicKeyFingerprint(createPublicKey(privateKey)),
    at: statement.at,
    signature: sign(null, statementHash(statement), privateKey).toString('base64url'),
  };
}

const b64u = (s: string): Buffer => Buffer.from(s, 'base64url');
const sha256 = (b: Buffer | string): Buffer => createHash('sha256').update(b).digest();

export function keyObjectOf(jwk: JsonWebKey): KeyObject {
  return createPublicKey({ key: jwk, format: 'jwk' });
}

/** The fingerprint the key's JWK gives; an enrolment whose recorded fingerprint differs is void. */
export function jwkFingerprint(jwk: JsonWebKey): string {
  return publicKeyFingerprint(keyObjectOf(jwk));
}

const UP = 0x01;
const UV = 0x04;

export interface ProofCheck {
  /** User verification was demanded (critical options, seals). */
  userVerification: boolean;
  /** When the approval was recorded: the signature's time must be close to it. */
  recordedAt?: Date;
}

/**
 * Why `proof` does not sign `statement` with `key` (null when it does). The statement's time is
 * the proof's; freshness is judged against `recordedAt` when given.
 */
export function proofRefusal(statement: ApprovalStatement, proof: ApprovalProof, key: EnrolledKey, check: ProofCheck): string | null {
  if (proof.key !== key.fingerprint) return `signed with key ${proof.key}, not ${key.fingerprint}`;
  if (proof.kind !== key.kind) return `a ${proof.kind} proof for a ${key.kind} key`;
  if (proof.at !== statement.at) return 'the proof is for another time';
  if (check.recordedAt) {
    const t = Date.parse(proof.at);
    if (!Number.isFinite(t) || Math.abs(check.recordedAt.getTime() - t) > SIGNATURE_MAX_SKEW_MS) {
      return `signed at ${proof.at}, too far from ${check.recordedAt.toISOString()} (stale or replayed)`;
    }
  }
  const hash = statementHash(statement);
  let publicKey: KeyObject;
  try {
    publicKey = keyObjectOf(key.publicKeyJwk);
  } catch {
    return 'the enrolled public key is unusable';
  }
  try {
    if (proof.kind === 'ed25519') {
      return verify(null, hash, publicKey, b64u(proof.signature)) ? null : 'the Ed25519 signature does not match the statement';
    }
    return webAuthnRefusal(hash, proof, key, publicKey, check.userVerification);
  } catch (err) {
    return `the signature cannot be checked (${(err as Error).message})`;
  }
}

/** WebAuthn §7.2 steps that bind an assertion to the statement, then the signature itself. */
function webAuthnRefusal(
  hash: Buffer,
  proof: WebAuthnProof,
  key: EnrolledKey,
  publicKey: KeyObject,
  userVerification: boolean,
): string | null {
  if (key.credentialId !== undefined && proof.credentialId !== key.credentialId) return 'the assertion names another credential';
  const clientDataBytes = b64u(proof.clientDataJSON);
  const clientData = JSON.parse(clientDataBytes.toString('utf8')) as { type?: unknown; challenge?: unknown };
  if (clientData.type !== 'webauthn.get') return 'the client data is not an assertion (webauthn.get)';
  if (clientData.challenge !== hash.toString('base64url')) return 'the assertion was made for another statement (challenge differs)';
  const authData = b64u(proof.authenticatorData);
  if (authData.length < 37) return 'the authenticator data is too short';
  if (!key.rpId || !authData.subarray(0, 32).equals(sha256(key.rpId))) return 'the assertion is for another relying party';
  const flags = authData[32] as number;
  if (!(flags & UP)) return 'the authenticator did not see the user present';
  if (userVerification && !(flags & UV)) return 'the authenticator did not verify the user (required here)';
  const signed = Buffer.concat([authData, sha256(clientDataBytes)]);
  const signature = b64u(proof.signature);
  const jwk = key.publicKeyJwk;
  const ok =
    jwk.kty === 'EC'
      ? verify('sha256', signed, { key: publicKey, dsaEncoding: 'der' }, signature)
      : jwk.kty === 'OKP'
        ? verify(null, signed, publicKey, signature)
        : verify('sha256', signed, publicKey, signature);
  return ok ? null : 'the passkey signature does not match';
}
