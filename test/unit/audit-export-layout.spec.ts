import type { AuditEvent } from '#persistence';
import { GENESIS_HASH, canonicalContent, contentHash, linkHash, type AuditContent } from '#audit-format';
import { eventLine } from '#audit-format';
import { readPlainEvent } from '#audit-format';
import { toChained } from '#audit/audit-chain.reader';

/**
 * The offline verifier reads the usual event lines without JSON.parse when they are laid out
 * exactly as the service writes them; if the export's layout changes, verification stays
 * correct but loses that speed. This pins the layout to the service's own export path.
 */
describe('exported event lines keep the layout the verifier reads fastest', () => {
  const content: AuditContent = {
    tenantId: '00000000-0000-4000-8000-000000000001',
    at: '2026-11-26T10:00:00.000Z',
    actor: { id: 'a1', name: 'Ann', role: 'operator' },
    action: 'option.set',
    option: 'retention_days',
    before: 365,
    after: 400,
    diff: [{ op: 'replace', path: '', value: 400 }],
    reason: 'longer retention',
    requestId: 'r1',
  };
  const h = contentHash(content);
  const row = {
    seq: 7n,
    tenantId: content.tenantId,
    tenantSeq: 3n,
    occurredAt: new Date(content.at),
    actorId: 'a1',
    actorName: 'Ann',
    actorRole: 'operator',
    action: content.action,
    optionKey: content.option,
    before: 365,
    after: 400,
    reason: content.reason,
    requestId: content.requestId,
    diff: content.diff,
    contentHash: h,
    hash: linkHash(GENESIS_HASH, h),
    tenantHash: linkHash(GENESIS_HASH, h),
  } as unknown as AuditEvent;

  it.each(['global', 'tenant'] as const)('%s export', (scope) => {
    const plain = readPlainEvent(eventLine(toChained(row), scope).trimEnd());
    expect(plain).toEqual({
      seq: scope === 'global' ? 7 : NaN,
      tenantSeq: 3,
      tenantId: content.tenantId,
      canonical: canonicalContent(content),
      contentHash: h,
      hash: scope === 'global' ? row.hash : undefined,
      tenantHash: row.tenantHash,
      action: JSON.stringify(content.action),
      option: JSON.stringify(content.option),
      after: JSON.stringify(content.after),
    });
  });
});
