import { lineageRefusal, type LineageOf } from './lineage.rule.js';

const at = (iso: string) => new Date(iso);
const p = (principalId: string, lineageId: string, createdAt: Date | null = at('2026-01-01T00:00:00Z')): LineageOf => ({
  principalId,
  lineageId,
  createdAt,
});
const filed = at('2026-06-01T00:00:00Z');

describe('lineage rule', () => {
  it('counts an approval from another person who existed before the request', () => {
    expect(lineageRefusal(p('b', 'B'), p('a', 'A'), [p('c', 'C')], filed)).toBeNull();
  });
  it("refuses a principal of the requester's lineage (a sock puppet)", () => {
    expect(lineageRefusal(p('a2', 'A'), p('a', 'A'), [], filed)?.rule).toBe('lineage_differs_from_requester');
  });
  it('refuses a second approval by the same person', () => {
    expect(lineageRefusal(p('c2', 'C'), p('a', 'A'), [p('c', 'C')], filed)?.rule).toBe('lineage_differs_from_approvers');
    expect(lineageRefusal(p('c2', 'C'), null, [p('c', 'C')], filed)?.rule).toBe('lineage_differs_from_approvers');
  });
  it('refuses a principal created at or after the filing', () => {
    expect(lineageRefusal(p('b', 'B', filed), p('a', 'A'), [], filed)?.rule).toBe('approver_predates_request');
    expect(lineageRefusal(p('b', 'B', at('2026-07-01T00:00:00Z')), null, [], filed)?.rule).toBe('approver_predates_request');
  });
  it('judges identity-provider staff (not stored here) by lineage only', () => {
    expect(lineageRefusal(p('s', 's', null), p('a', 'A'), [], filed)).toBeNull();
  });
});
