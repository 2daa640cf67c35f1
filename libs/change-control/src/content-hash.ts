import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** SHA-256 (hex) of the RFC 8785 canonical JSON of `value`. */
export function sha256Canonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be canonicalized');
  return createHash('sha256').update(text).digest('hex');
}

export interface RequestContent {
  tenantId: string;
  optionKey: string;
  operation: 'set' | 'reset';
  value: unknown;
  reason: string;
  baseVersion: number;
}

/** What approvers approve: any edit of these fields gives another hash and drops the approvals. */
export function contentHashOf(c: RequestContent): string {
  return sha256Canonical({
    tenantId: c.tenantId,
    optionKey: c.optionKey,
    operation: c.operation,
    value: c.operation === 'set' ? c.value : null,
    reason: c.reason,
    baseVersion: c.baseVersion,
  });
}
