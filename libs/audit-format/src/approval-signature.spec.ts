import {
  jwkFingerprint,
  proofRefusal,
  statementHash,
  statementText,
  type ApprovalProof,
  type ApprovalStatement,
  type EnrolledKey,
} from './approval-signature.js';
import { isConsentEvent } from './approval-signature.verifier.js';

// Fixed vectors: an Ed25519 key from the seed 0x01..0x20 and a fixed P-256 passkey key; the
// signatures were made once outside this code (node:crypto), so the check is held to bytes, not to itself.
const STATEMENT: ApprovalStatement = {
  action: 'change_request.approve',
  tenant: '33333333-3333-4333-8333-333333333333',
  subject: '22222222-2222-4222-8222-222222222222',
  contentHash: 'a'.repeat(64),
  approver: '11111111-1111-4111-8111-111111111111',
  at: '2026-12-04T12:00:00.000Z',
};
const TEXT =
  '{"action":"change_request.approve","approver":"11111111-1111-4111-8111-111111111111","at":"2026-12-04T12:00:00.000Z",' +
  `"contentHash":"${'a'.repeat(64)}","subject":"22222222-2222-4222-8222-222222222222","tenant":"33333333-3333-4333-8333-333333333333","type":"cloison.approval/v1"}`;
const HASH = '5bba0c90e74959e523b3c2bdf94a8345997d75815146f2e45e2b10a9ade582dd';

const ED_JWK = { crv: 'Ed25519', x: 'ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ', kty: 'OKP' };
const ED: EnrolledKey = { fingerprint: jwkFingerprint(ED_JWK), kind: 'ed25519', publicKeyJwk: ED_JWK };
const ED_PROOF: ApprovalProof = {
  kind: 'ed25519',
  key: ED.fingerprint,
  at: STATEMENT.at,
  signature: 'dfr3Nwjn61xu-3I-iOfC5G6lsJYUUMf9nQnLXaY485og--U-j6pI-cx2sbA7jirsYGWJg_iFddeMGkUFzPaBAg',
};

const EC_JWK = {
  kty: 'EC',
  crv: 'P-256',
  x: 'bpR5lgB6wTrjqvRJ3cwFHcD4_e_jCNHKW8SnZbIkx1I',
  y: 'Xm9xnC-LpXoyYq5bbrlQuGIVZ5-989TsllrnFGnxeEc',
};
const PASSKEY: EnrolledKey = {
  fingerprint: jwkFingerprint(EC_JWK),
  kind: 'webauthn',
  publicKeyJwk: EC_JWK,
  rpId: 'localhost',
  credentialId: 'AAECAw',
};
const WEBAUTHN_PROOF: ApprovalProof = {
  kind: 'webauthn',
  key: PASSKEY.fingerprint,
  at: STATEMENT.at,
  credentialId: 'AAECAw',
  // rpIdHash(localhost) | flags UP+UV | counter 7
  authenticatorData: 'SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAABw',
  clientDataJSON:
    'eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiVzdvTWtPZEpXZVVqczhLOS1VcURSWmw5ZFlGUlJ2TGtYaXNRcWEzbGd0MCIsIm9yaWdpbiI6Imh0dHA6Ly9sb2NhbGhvc3Q6MzAwMCIsImNyb3NzT3JpZ2luIjpmYWxzZX0',
  signature: 'MEQCIC9-E20IYLG6Txc40RDCDPRaPX7rp0NTxomz-aHMBej6AiBgcYZMreN4hc1AZrSAofw0ZKMFvyOv41IcwAidKyEpQw',
};

const check = { userVerification: true, recordedAt: new Date('2026-12-04T12:01:00.000Z') };

describe('approval signatures (fixed vectors)', () => {
  it('the statement is the canonical JSON of its fields, hashed with SHA-256', () => {
    expect(statementText(STATEMENT)).toBe(TEXT);
    expect(statementHash(STATEMENT).toString('hex')).toBe(HASH);
  });

  it('accepts the Ed25519 and passkey signatures of the statement', () => {
    expect(proofRefusal(STATEMENT, ED_PROOF, ED, check)).toBeNull();
    expect(proofRefusal(STATEMENT, WEBAUTHN_PROOF, PASSKEY, check)).toBeNull();
  });

  it.each([
    ['another request', { subject: '44444444-4444-4444-8444-444444444444' }],
    ['another content hash', { contentHash: 'b'.repeat(64) }],
    ['another tenant', { tenant: '44444444-4444-4444-8444-444444444444' }],
    ['another approver', { approver: '44444444-4444-4444-8444-444444444444' }],
    ['another action', { action: 'seal.approve' as const }],
  ])('refuses both signatures for %s', (_name, change) => {
    const other = { ...STATEMENT, ...change };
    expect(proofRefusal(other, ED_PROOF, ED, check)).toMatch(/does not match the statement/);
    expect(proofRefusal(other, WEBAUTHN_PROOF, PASSKEY, check)).toMatch(/another statement/);
  });

  it('refuses a stale signature, another key, another relying party and a missing user verification', () => {
    expect(proofRefusal(STATEMENT, ED_PROOF, ED, { ...check, recordedAt: new Date('2026-12-04T12:06:00.001Z') })).toMatch(
      /stale or replayed/,
    );
    expect(proofRefusal(STATEMENT, ED_PROOF, PASSKEY, check)).toMatch(/signed with key/);
    expect(proofRefusal(STATEMENT, WEBAUTHN_PROOF, { ...PASSKEY, rpId: 'evil.example' }, check)).toMatch(/another relying party/);
    // The same assertion with the UV flag cleared: the signature no longer matches either, but the flag is judged first.
    const noUv = Buffer.from(WEBAUTHN_PROOF.authenticatorData, 'base64url');
    noUv[32] = 0x01;
    expect(proofRefusal(STATEMENT, { ...WEBAUTHN_PROOF, authenticatorData: noUv.toString('base64url') }, PASSKEY, check)).toMatch(
      /did not verify the user/,
    );
    expect(
      proofRefusal(STATEMENT, { ...WEBAUTHN_PROOF, authenticatorData: noUv.toString('base64url') }, PASSKEY, {
        ...check,
        userVerification: false,
      }),
    ).toMatch(/signature does not match/);
    const flipped = Buffer.from(ED_PROOF.signature, 'base64url');
    flipped[0] = (flipped[0] as number) ^ 1;
    expect(proofRefusal(STATEMENT, { ...ED_PROOF, signature: flipped.toString('base64url') }, ED, check)).toMatch(/does not match/);
  });
});

describe('which export lines the consent check reads', () => {
  it('picks approval, enrolment and the events they are checked against, not other events nor look-alike text', () => {
    const line = (action: string, after: unknown = null) => JSON.stringify({ type: 'event', seq: 1, action, after });
    for (const a of [
      'tenant.created',
      'credential.enrolled',
      'credential.removed',
      'change_request.created',
      'change_request.edited',
      'change_request.approved',
      'seal.proposed',
      'seal.approved',
      'seal.lift_approved',
      'seal.break_glass_approved',
    ]) {
      expect([a, isConsentEvent(line(a))]).toEqual([a, true]);
    }
    for (const a of ['option.set', 'change_request.applied', 'seal.activated', 'tenant.created_elsewhere', 'seal.approvedx'])
      expect([a, isConsentEvent(line(a))]).toEqual([a, false]);
    expect(isConsentEvent(line('option.set', { note: '"action":"change_request.approved"' }))).toBe(false);
  });
});
