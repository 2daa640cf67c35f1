import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** Format of the hashed content and of exports; bumped only with a documented migration path. */
export const AUDIT_FORMAT_VERSION = 1;

/** The link hash "before" the first event of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Chain id of the global chain; a tenant's chain id is its tenant id (a UUID). */
export const GLOBAL_CHAIN = 'global';

/** The fields of an event that its content hash covers (sequence numbers are bound by the chains). */
export interface AuditContent {
  tenantId: string | null;
  /** ISO 8601, UTC, millisecond precision (as stored). */
  at: string;
  actor: { id: string; name: string; role: string };
  action: string;
  option: string | null;
  before: unknown;
  after: unknown;
  /** RFC 6902 JSON Patch from `before` to `after`; null when the event is not a value change. */
  diff: unknown;
  reason: string | null;
  requestId: string | null;
}

/** One event as it is exported and verified. Tenant exports leave the global fields out. */
export interface ChainedEvent extends AuditContent {
  seq?: number;
  tenantSeq: number | null;
  contentHash: string;
  /** Link hash in the global chain. */
  hash?: string;
  /** Link hash in the tenant's chain; null for events without a tenant. */
  tenantHash: string | null;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** RFC 8785 (JCS) canonical JSON of the content, with the format version. */
export function canonicalContent(c: AuditContent): string {
  const doc = {
    v: AUDIT_FORMAT_VERSION,
    tenantId: c.tenantId,
    at: c.at,
    actor: { id: c.actor.id, name: c.actor.name, role: c.actor.role },
    action: c.action,
    option: c.option,
    before: c.before ?? null,
    after: c.after ?? null,
    diff: c.diff ?? null,
    reason: c.reason,
    requestId: c.requestId,
  };
  const text = canonicalize(doc);
  if (text === undefined) throw new Error('audit content is not serialisable');
  return text;
}

export function contentHash(c: AuditContent): string {
  return sha256(canonicalContent(c));
}

/** sha256 of the previous link hash (hex) followed by the content hash (hex), as UTF-8 text. */
export function linkHash(prev: string, content: string): string {
  return sha256(prev + content);
}
