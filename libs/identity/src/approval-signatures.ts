import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { AuditRecorder } from '#audit';
import { proofRefusal, statementHash, type ApprovalProof, type ApprovalStatement, type EnrolledKey } from '#audit-format';
import type { PrismaTx } from '#persistence';
import type { Actor } from '#tenancy';
import { CREDENTIAL_SETTINGS, type CredentialSettings } from './credential.service.js';

interface CredentialRow {
  fingerprint: string;
  /** Null for an operator's key: enrolled in the global chain. */
  tenant_id: string | null;
  label: string;
  kind: 'ed25519' | 'webauthn';
  public_key_jwk: EnrolledKey['publicKeyJwk'];
  webauthn_id: string | null;
  cose_key: string | null;
  counter: bigint;
  rp_id: string | null;
}

export interface SignatureDemand {
  /** The tenant refuses this approval unsigned. */
  required: boolean;
  /** The authenticator must have verified the person (critical options, seals). */
  userVerification: boolean;
}

const refused = (rule: string, message: string) => new ForbiddenException({ message, details: [{ pointer: '/signature', rule, message }] });

/** Who approves, as the approval's audit event names them. */
export interface Approver {
  actor: Actor;
  requestId?: string;
}

/**
 * Checks the signature an approver sends with an approval, inside the approval's transaction:
 * made with one of the approver's live keys, over the statement the service rebuilds from the
 * row being approved (so a signature for another request, content, tenant or time fails), and
 * recent. Passkeys go through @simplewebauthn/server (origin, counter) and then through the same
 * check offline verification runs, so what is stored verifies from an export. An operator's key is
 * enrolled in the global chain; the first time it signs for a tenant, it is introduced into that
 * tenant's chain (`credential.introduced`, before the approval), so that the tenant's export alone
 * checks the signature.
 */
@Injectable()
export class ApprovalSignatures {
  constructor(
    @Inject(CREDENTIAL_SETTINGS) private readonly settings: CredentialSettings,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async check(
    tx: PrismaTx,
    statement: Omit<ApprovalStatement, 'at'>,
    proof: ApprovalProof | undefined,
    demand: SignatureDemand,
    by: Approver,
  ): Promise<ApprovalProof | null> {
    if (!proof) {
      if (demand.required)
        throw refused('signature_required', 'this tenant accepts approvals of its critical options only when signed with an enrolled key');
      return null;
    }
    // Locked until this approval commits: a removal committed first leaves nothing to find, one that
    // comes second waits, so that no key signs after its owner removed it.
    const [row] = await tx.$queryRaw<CredentialRow[]>`SELECT * FROM cloison_approval_credential(${statement.approver}, ${proof.key})`;
    if (!row) throw refused('signature_key', `key ${proof.key} is not an enrolled key of the approver`);
    const full: ApprovalStatement = { ...statement, at: proof.at };
    const key: EnrolledKey = {
      fingerprint: row.fingerprint,
      kind: row.kind,
      publicKeyJwk: row.public_key_jwk,
      ...(row.rp_id ? { rpId: row.rp_id } : {}),
      ...(row.webauthn_id ? { credentialId: row.webauthn_id } : {}),
    };
    if (proof.kind === 'webauthn' && row.kind === 'webauthn') await this.assertion(tx, full, proof, row, demand.userVerification);
    const refusal = proofRefusal(full, proof, key, { userVerification: demand.userVerification, recordedAt: new Date() });
    if (refusal) throw refused('signature_valid', `the approval signature is refused: ${refusal}`);
    if (row.tenant_id === null) await this.introduce(tx, statement.tenant, key, row.label, by);
    return proof.kind === 'ed25519'
      ? { kind: proof.kind, key: proof.key, at: proof.at, signature: proof.signature }
      : {
          kind: proof.kind,
          key: proof.key,
          at: proof.at,
          credentialId: proof.credentialId,
          authenticatorData: proof.authenticatorData,
          clientDataJSON: proof.clientDataJSON,
          signature: proof.signature,
        };
  }

  private async assertion(
    tx: PrismaTx,
    statement: ApprovalStatement,
    proof: Extract<ApprovalProof, { kind: 'webauthn' }>,
    row: CredentialRow,
    userVerification: boolean,
  ): Promise<void> {
    let result;
    try {
      result = await verifyAuthenticationResponse({
        response: {
          id: proof.credentialId,
          rawId: proof.credentialId,
          type: 'public-key',
          clientExtensionResults: {},
          response: { authenticatorData: proof.authenticatorData, clientDataJSON: proof.clientDataJSON, signature: proof.signature },
        },
        expectedChallenge: statementHash(statement).toString('base64url'),
        expectedOrigin: this.settings.origins,
        expectedRPID: row.rp_id as string,
        credential: {
          id: row.webauthn_id as string,
          publicKey: Buffer.from(row.cose_key as string, 'base64url'),
          counter: Number(row.counter),
        },
        requireUserVerification: userVerification,
      });
    } catch (err) {
      throw refused('signature_valid', `the passkey assertion is refused: ${(err as Error).message}`);
    }
    if (!result.verified) throw refused('signature_valid', 'the passkey assertion does not verify');
    await tx.$executeRaw`SELECT cloison_credential_used(${row.fingerprint}, ${BigInt(result.authenticationInfo.newCounter)})`;
  }

  /** Records `key` in the tenant's chain unless that chain already has it (see the class comment). */
  private async introduce(tx: PrismaTx, tenantId: string, key: EnrolledKey, label: string, by: Approver): Promise<void> {
    const known = await tx.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM audit_events
       WHERE tenant_id = ${tenantId}::uuid AND action = 'credential.introduced' AND after->>'fingerprint' = ${key.fingerprint}`;
    if ((known[0]?.n ?? 0) > 0) return;
    await this.audit.record(tx, {
      actor: by.actor,
      action: 'credential.introduced',
      tenantId,
      after: {
        principal: by.actor.id,
        kind: key.kind,
        label,
        fingerprint: key.fingerprint,
        publicKeyJwk: key.publicKeyJwk,
        ...(key.credentialId ? { credentialId: key.credentialId, rpId: key.rpId } : {}),
      },
      reason: "an operator's key, enrolled in the global chain, signs for this tenant for the first time",
      requestId: by.requestId,
    });
  }
}
