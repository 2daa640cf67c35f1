import type { ChainedEvent } from './audit.chain.js';
import { ApprovalSignatureVerifier } from './approval-signature.verifier.js';

// Fixed chains of one tenant, as an export holds them: the verifier sees only these events.
const TENANT = '33333333-3333-4333-8333-333333333333';
const SEAL = '44444444-4444-4444-8444-444444444444';
const OFFICER = { id: '11111111-1111-4111-8111-111111111111', name: 'Returning officer', role: 'client_admin' };
const SYSTEM = { id: 'system', name: 'cloison', role: 'system' };

const event = (action: string, after: unknown, actor = OFFICER, reason: string | null = null): ChainedEvent => ({
  tenantId: TENANT,
  at: '2026-12-05T09:00:00.000Z',
  actor,
  action,
  option: null,
  before: null,
  after,
  diff: null,
  reason,
  requestId: null,
  tenantSeq: null,
  contentHash: '',
  tenantHash: null,
});
const created = (after: object) => event('tenant.created', { id: TENANT, slug: 'polls', ...after }, SYSTEM);
const proposed = event('seal.proposed', { id: SEAL, label: 'ballot 2027', requiredApprovals: 2 });
const unsignedLift = event('seal.lift_approved', { id: SEAL }, OFFICER, 'results published');
const recorded = event('tenant.signed_approvals_changed', { id: TENANT, signedApprovals: true, signedSealSteps: true }, SYSTEM);

/** The first reason the chain breaks consent verification, and the findings. */
function verify(events: ChainedEvent[]) {
  const v = new ApprovalSignatureVerifier('tenant');
  const reasons = events.map((e, i) => v.event(e, i + 1));
  return {
    broken: reasons.findIndex((r) => r !== null) + 1 || null,
    reason: reasons.find((r) => r !== null) ?? null,
    findings: v.findings,
  };
}

describe('unsigned seal steps, judged by what the chain records', () => {
  it('fail where the chain records that seal steps need signatures (tenant.created)', () => {
    const out = verify([created({ signedApprovals: true, signedSealSteps: true }), proposed, unsignedLift]);
    expect(out.broken).toBe(3);
    expect(out.reason).toMatch(/seal 4444.* \(seal\.lift\) is not signed, and its tenant requires signed approvals/);
  });

  it('are reported unsigned, not failed, in a chain written before that record (an honest old export)', () => {
    const out = verify([created({ signedApprovals: true }), proposed, unsignedLift]);
    expect(out.broken).toBeNull();
    expect(out.findings).toEqual([expect.objectContaining({ action: 'seal.lift_approved', status: 'unsigned' })]);
  });

  it('fail from the record on when it came later, and no longer once the setting is lowered', () => {
    expect(verify([created({ signedApprovals: true }), proposed, unsignedLift, recorded, unsignedLift]).broken).toBe(5);
    const lowered = event('tenant.signed_approvals_changed', { id: TENANT, signedApprovals: false }, SYSTEM);
    // Lowering without a signature breaks the chain by itself; judged alone, the later lift is no failure.
    const v = new ApprovalSignatureVerifier('tenant');
    for (const [i, e] of [created({ signedApprovals: true, signedSealSteps: true }), proposed].entries()) v.event(e, i + 1);
    expect(v.event(lowered, 3)).toMatch(/without a signature/);
    expect(v.event(unsignedLift, 4)).toBeNull();
  });

  it('do not fail in a tenant that does not require signatures', () => {
    expect(verify([created({}), proposed, unsignedLift]).broken).toBeNull();
  });
});
