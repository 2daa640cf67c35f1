import { approvalRequirement, countedApprovals, isSatisfied, unneededApproval, type Approval } from '../../libs/change-control/src/approval-policy.js';

const H = 'hash-of-current-content';
const OLD = 'hash-of-earlier-content';
const op = (principalId: string, contentHash = H): Approval => ({ principalId, role: 'operator', contentHash });
const client = (principalId: string, contentHash = H): Approval => ({ principalId, role: 'client_admin', contentHash });

describe('approval requirement (four eyes)', () => {
  it.each([
    ['low', 1, null],
    ['low', 2, null],
    ['low', 3, { operator: true, clientAdmin: false }],
    ['high', 1, { operator: true, clientAdmin: false }],
    ['high', 3, { operator: true, clientAdmin: false }],
    ['critical', 1, { operator: true, clientAdmin: true }],
    ['critical', 3, { operator: true, clientAdmin: true }],
  ] as const)('%s option on a risk level %i tenant needs %j', (risk, level, need) => {
    expect(approvalRequirement({ risk }, level)).toEqual(need);
  });

  it('counts only approvals of the current content by others than the requester', () => {
    const given = [op('requester'), op('o1', OLD), op('o2'), client('c1')];
    expect(countedApprovals(given, 'requester', H)).toEqual([op('o2'), client('c1')]);
  });

  it('is satisfied only when every required role approved the current content', () => {
    const both = { operator: true, clientAdmin: true };
    const operatorOnly = { operator: true, clientAdmin: false };
    expect(isSatisfied(operatorOnly, [op('o2')], 'requester', H)).toBe(true);
    expect(isSatisfied(operatorOnly, [], 'requester', H)).toBe(false);
    expect(isSatisfied(operatorOnly, [op('requester')], 'requester', H)).toBe(false);
    expect(isSatisfied(operatorOnly, [op('o2', OLD)], 'requester', H)).toBe(false);
    expect(isSatisfied(operatorOnly, [client('c1')], 'requester', H)).toBe(false);
    expect(isSatisfied(both, [op('o2')], 'requester', H)).toBe(false);
    expect(isSatisfied(both, [op('o2'), client('c1')], 'requester', H)).toBe(true);
    expect(isSatisfied(both, [op('o2'), client('c1', OLD)], 'requester', H)).toBe(false);
    // A client admin who requested cannot consent to their own change.
    expect(isSatisfied(both, [op('o2'), client('c1')], 'c1', H)).toBe(false);
  });

  it('refuses approvals that would decide nothing', () => {
    const operatorOnly = { operator: true, clientAdmin: false };
    const both = { operator: true, clientAdmin: true };
    expect(unneededApproval(operatorOnly, [], 'client_admin')).toMatch(/needs no client consent/);
    expect(unneededApproval(both, [client('c1')], 'client_admin')).toMatch(/already consented/);
    expect(unneededApproval({ operator: false, clientAdmin: true }, [], 'operator')).toMatch(/needs no operator approval/);
    expect(unneededApproval(both, [op('o2')], 'operator')).toMatch(/already approved/);
    expect(unneededApproval(both, [], 'operator')).toBeNull();
    expect(unneededApproval(both, [op('o2')], 'client_admin')).toBeNull();
  });
});
