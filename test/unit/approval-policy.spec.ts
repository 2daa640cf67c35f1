import {
  approvalRequirement,
  clientAdminNotForClient,
  countedApprovals,
  isSatisfied,
  unneededApproval,
  type Approval,
} from '#change-control/approval-policy';

const H = 'hash-of-current-content';
const OLD = 'hash-of-earlier-content';
const op = (principalId: string, contentHash = H): Approval => ({ principalId, role: 'operator', contentHash, forClient: false });
const client = (principalId: string, contentHash = H): Approval => ({ principalId, role: 'client_admin', contentHash, forClient: true });
/** A client admin in an operator's lineage: that operator's login, not the client's person. */
const login = (principalId: string, contentHash = H): Approval => ({ principalId, role: 'client_admin', contentHash, forClient: false });
const OPERATOR = { role: 'operator', forClient: false };
const CLIENT = { role: 'client_admin', forClient: true };
const LOGIN = { role: 'client_admin', forClient: false };

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
    // A client admin in an operator's lineage is not the client's consent.
    expect(isSatisfied(both, [op('o2'), login('c9')], 'requester', H)).toBe(false);
    // A client admin who requested cannot consent to their own change.
    expect(isSatisfied(both, [op('o2'), client('c1')], 'c1', H)).toBe(false);
  });

  it('refuses approvals that would decide nothing', () => {
    const operatorOnly = { operator: true, clientAdmin: false };
    const both = { operator: true, clientAdmin: true };
    expect(unneededApproval(operatorOnly, [], CLIENT)).toMatch(/needs no client consent/);
    expect(unneededApproval(both, [client('c1')], CLIENT)).toMatch(/already consented/);
    expect(unneededApproval({ operator: false, clientAdmin: true }, [], OPERATOR)).toMatch(/needs no operator approval/);
    expect(unneededApproval(both, [op('o2')], OPERATOR)).toMatch(/already approved/);
    expect(unneededApproval(both, [], OPERATOR)).toBeNull();
    expect(unneededApproval(both, [op('o2')], CLIENT)).toBeNull();
    // An operator's login among the approvals is no consent: the client's own still decides something.
    expect(unneededApproval(both, [op('o2'), login('c9')], CLIENT)).toBeNull();
  });

  it("refuses a client admin's consent unless it acts for the client", () => {
    expect(clientAdminNotForClient(LOGIN)).toBe(true);
    expect(clientAdminNotForClient(CLIENT)).toBe(false);
    expect(clientAdminNotForClient(OPERATOR)).toBe(false);
  });
});
