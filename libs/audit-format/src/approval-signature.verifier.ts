import type { JsonWebKey } from 'node:crypto';
import type { ChainedEvent } from './audit.chain.js';
import {
  SIGNED_EVENT_ACTIONS,
  jwkFingerprint,
  proofRefusal,
  sealContentHash,
  signedApprovalsContentHash,
  type ApprovalProof,
  type ApprovalStatement,
  type EnrolledKey,
} from './approval-signature.js';

/** One approval in the export and what its signature proved. */
export interface ApprovalFinding {
  seq: number;
  line?: number;
  action: string;
  subject: string;
  approver: { id: string; name: string; role: string };
  /** 'signed': checked against a key enrolled earlier in the chain; 'unchecked': signed with a key enrolled in another chain. */
  status: 'signed' | 'unsigned' | 'unchecked';
  key?: string;
  kind?: string;
  label?: string;
}

const ACTION_KEY = '"action":"';
const CONSENT_ACTION =
  /(?:tenant\.(?:created|signed_approvals_changed)|credential\.(?:enrolled|removed|introduced)|change_request\.(?:created|edited|approved)|seal\.(?:proposed|approved|lift_approved|break_glass_approved))"/y;

/**
 * Whether an export line is an event the consent check reads (the others take the fast path):
 * found with one native search and, for most events, one character (c, s or t starts them all).
 */
export function isConsentEvent(raw: string): boolean {
  const at = raw.indexOf(ACTION_KEY);
  if (at < 0) return false;
  const from = at + ACTION_KEY.length;
  const c = raw.charCodeAt(from);
  if (c !== 99 && c !== 115 && c !== 116) return false;
  CONSENT_ACTION.lastIndex = from;
  return CONSENT_ACTION.test(raw);
}

interface KnownKey {
  key: EnrolledKey;
  principal: string;
  label: string;
  removed: boolean;
}

type After = Record<string, unknown> | null;

/**
 * Follows one export in order and checks every approval against what came before it in the same
 * chain: the key must have been enrolled earlier (and not removed) by the approver, its signature
 * must cover the statement rebuilt from the chain (tenant, request or seal, content, approver,
 * time), and in a tenant that requires signed approvals a critical change's approval must be signed.
 * An operator's key is enrolled in the global chain and introduced into a tenant's chain before it
 * first signs there (`credential.introduced`); a signature by an operator key a tenant export does
 * not introduce (exports from before introductions) is reported unchecked.
 */
export class ApprovalSignatureVerifier {
  private readonly keys = new Map<string, KnownKey>();
  private readonly requests = new Map<string, { contentHash: string; critical: boolean }>();
  private readonly seals = new Map<string, { tenantId: string; id: string; label: string; requiredApprovals: number }>();
  private readonly signedTenants = new Set<string>();
  /** Tenants whose chain recorded that their seal steps need signatures too (`signedSealSteps`). */
  private readonly signedSealTenants = new Set<string>();
  readonly findings: ApprovalFinding[] = [];

  constructor(private readonly mode: 'global' | 'tenant') {}

  /** The reason the event breaks consent verification, or null. */
  event(e: ChainedEvent, seq: number, line?: number): string | null {
    const after = (typeof e.after === 'object' && e.after !== null ? e.after : null) as After;
    const id = typeof after?.id === 'string' ? after.id : '';
    switch (e.action) {
      case 'tenant.created':
        if (after?.signedApprovals === true && e.tenantId) this.signedTenants.add(e.tenantId);
        if (after?.signedApprovals === true && after.signedSealSteps === true && e.tenantId) this.signedSealTenants.add(e.tenantId);
        return null;
      case 'tenant.signed_approvals_changed':
        return this.settingChanged(e, after, seq, line);
      case 'credential.enrolled':
        return this.enrolled(e, after);
      case 'credential.introduced':
        return this.introduced(e, after);
      case 'credential.removed': {
        const k = this.keys.get(String(after?.fingerprint));
        if (k) k.removed = true;
        return null;
      }
      case 'change_request.created':
      case 'change_request.edited': {
        const required = (e.action === 'change_request.created' ? after?.required : undefined) as { clientAdmin?: unknown } | undefined;
        const known = this.requests.get(id);
        this.requests.set(id, { contentHash: String(after?.contentHash), critical: known?.critical ?? required?.clientAdmin === true });
        return null;
      }
      case 'seal.proposed':
        if (e.tenantId)
          this.seals.set(id, {
            tenantId: e.tenantId,
            id,
            label: String(after?.label),
            requiredApprovals: Number(after?.requiredApprovals),
          });
        return null;
    }
    const action = SIGNED_EVENT_ACTIONS[e.action];
    if (!action || !e.tenantId) return null;
    return this.approval(e, after, id, action, seq, line);
  }

  /**
   * The tenant's signed-approvals setting changed: raising it needs nothing more; lowering it,
   * while it is on, is an approval that must be signed (over the tenant, the new value and the
   * reason). From this event on, the tenant's approvals are judged by the new value.
   */
  private settingChanged(e: ChainedEvent, after: After, seq: number, line?: number): string | null {
    const tenant = e.tenantId;
    if (!tenant || typeof after?.signedApprovals !== 'boolean') return 'the signed-approvals change is malformed';
    const lowering = after.signedApprovals === false && this.signedTenants.has(tenant);
    if (after.signedApprovals) this.signedTenants.add(tenant);
    else this.signedTenants.delete(tenant);
    if (after.signedApprovals && after.signedSealSteps === true) this.signedSealTenants.add(tenant);
    else if (!after.signedApprovals) this.signedSealTenants.delete(tenant);
    if (!lowering) return null;
    const finding: ApprovalFinding = {
      seq,
      ...(line !== undefined ? { line } : {}),
      action: e.action,
      subject: tenant,
      approver: e.actor,
      status: 'unsigned',
    };
    this.findings.push(finding);
    const proof = after.signature as ApprovalProof | undefined;
    if (!proof) return `signed approvals were turned off for tenant ${tenant} by ${e.actor.name} (${e.actor.id}) without a signature`;
    const contentHash = signedApprovalsContentHash(tenant, false, e.reason ?? '');
    return this.checkProof(finding, e, proof, { action: 'tenant.lower_signed_approvals', tenant, subject: tenant, contentHash }, true);
  }

  /** Checks `proof` against the keys enrolled earlier in the chain; fills in the finding. */
  private checkProof(
    finding: ApprovalFinding,
    e: ChainedEvent,
    proof: ApprovalProof,
    s: Omit<ApprovalStatement, 'approver' | 'at'>,
    userVerification: boolean,
  ): string | null {
    finding.key = String(proof.key);
    finding.kind = String(proof.kind);
    const known = this.keys.get(proof.key);
    if (!known) {
      if (this.mode === 'tenant' && e.actor.role === 'operator') return ((finding.status = 'unchecked'), null);
      return `approval signed with key ${proof.key}, which was not enrolled earlier in this chain`;
    }
    if (known.principal !== e.actor.id) return `approval by ${e.actor.id} signed with the key of ${known.principal}`;
    if (known.removed) return `approval signed with key ${proof.key}, removed earlier`;
    const statement: ApprovalStatement = { ...s, approver: e.actor.id, at: proof.at };
    const refusal = proofRefusal(statement, proof, known.key, { userVerification, recordedAt: new Date(e.at) });
    if (refusal) return `approval signature does not verify: ${refusal}`;
    finding.status = 'signed';
    finding.label = known.label;
    return null;
  }

  /**
   * An operator's key brought into a tenant's chain. Read alone (a tenant export) it is that chain's
   * record of the key, checked like an enrolment; where the enrolment came earlier in the same export
   * (the global one) it must be that same key of the same person, not removed since.
   */
  private introduced(e: ChainedEvent, after: After): string | null {
    const known = this.keys.get(String(after?.fingerprint));
    if (!known)
      return this.mode === 'global'
        ? `key ${String(after?.fingerprint)} was introduced without an earlier enrolment`
        : this.enrolled(e, after);
    if (known.principal !== e.actor.id) return `key ${known.key.fingerprint} of ${known.principal} was introduced by ${e.actor.id}`;
    if (known.removed) return `key ${known.key.fingerprint} was introduced after it was removed`;
    return null;
  }

  private enrolled(e: ChainedEvent, after: After): string | null {
    const c = after as {
      principal?: unknown;
      fingerprint?: unknown;
      kind?: unknown;
      publicKeyJwk?: unknown;
      rpId?: unknown;
      credentialId?: unknown;
      label?: unknown;
    } | null;
    if (!c || typeof c.fingerprint !== 'string' || (c.kind !== 'ed25519' && c.kind !== 'webauthn'))
      return 'the credential enrolment is malformed';
    let fingerprint: string;
    try {
      fingerprint = jwkFingerprint(c.publicKeyJwk as JsonWebKey);
    } catch {
      return 'the enrolled public key is unusable';
    }
    if (fingerprint !== c.fingerprint) return `the enrolled key's fingerprint is ${fingerprint}, not the recorded ${c.fingerprint}`;
    if (c.principal !== e.actor.id) return 'a credential was enrolled for someone other than the one enrolling it';
    const key: EnrolledKey = {
      fingerprint,
      kind: c.kind,
      publicKeyJwk: c.publicKeyJwk as JsonWebKey,
      ...(typeof c.rpId === 'string' ? { rpId: c.rpId } : {}),
      ...(typeof c.credentialId === 'string' ? { credentialId: c.credentialId } : {}),
    };
    this.keys.set(fingerprint, { key, principal: e.actor.id, label: String(c.label ?? ''), removed: false });
    return null;
  }

  private approval(
    e: ChainedEvent,
    after: After,
    id: string,
    action: ApprovalStatement['action'],
    seq: number,
    line?: number,
  ): string | null {
    const tenant = e.tenantId as string;
    const finding: ApprovalFinding = {
      seq,
      ...(line !== undefined ? { line } : {}),
      action: e.action,
      subject: id,
      approver: e.actor,
      status: 'unsigned',
    };
    this.findings.push(finding);
    let contentHash: string;
    let critical: boolean;
    if (action === 'change_request.approve') {
      const request = this.requests.get(id);
      if (!request) return `approval of change request ${id}, which was not filed earlier in this chain`;
      if (after?.contentHash !== request.contentHash)
        return `approval of change request ${id} for content ${String(after?.contentHash)}, not its current content ${request.contentHash}`;
      contentHash = request.contentHash;
      critical = request.critical;
    } else {
      const seal = this.seals.get(id);
      if (!seal) return `approval of seal ${id}, which was not proposed earlier in this chain`;
      const purpose = action === 'seal.approve' ? 'activate' : action === 'seal.lift' ? 'lift' : 'break_glass';
      contentHash = sealContentHash(seal, purpose, e.reason);
      critical = true;
    }
    const proof = after?.signature as ApprovalProof | undefined;
    if (!proof) {
      return this.signatureRequired(action, tenant, critical)
        ? `approval by ${e.actor.name} (${e.actor.id}) of ${action === 'change_request.approve' ? 'critical change request' : 'seal'} ${id} (${action}) is not signed, and its tenant requires signed approvals`
        : null;
    }
    return this.checkProof(finding, e, proof, { action, tenant, subject: id, contentHash }, critical);
  }

  /**
   * Whether the tenant's chain, up to here, makes this approval need a signature: a critical
   * change's, once the tenant requires signed approvals; a seal step's, once the chain also
   * recorded that seal steps are included (`signedSealSteps`, written since the service refuses
   * them unsigned). Seal steps recorded before that marker are reported unsigned, not failed.
   */
  private signatureRequired(action: ApprovalStatement['action'], tenant: string, critical: boolean): boolean {
    if (action === 'change_request.approve') return critical && this.signedTenants.has(tenant);
    return this.signedSealTenants.has(tenant);
  }
}
