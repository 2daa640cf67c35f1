import { ValidationFailed } from '#http';
import { SLUG_PATTERN } from '#tenancy';

const filters = {
  option: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
  actor: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
  action: { type: 'string', pattern: '^[a-z][a-z._]{0,63}$' },
  from: { type: 'string', format: 'date-time' },
  to: { type: 'string', format: 'date-time' },
  /** Words anywhere in the reason, the person's name, the option key or the action. */
  q: { type: 'string', minLength: 1, maxLength: 100 },
  cursor: { type: 'string', pattern: '^[0-9]{1,18}$' },
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
} as const;

export const TENANT_AUDIT_QUERY = { type: 'object', additionalProperties: false, properties: filters } as const;

export const AUDIT_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { ...filters, tenant: { type: 'string', pattern: SLUG_PATTERN } },
} as const;

export interface AuditQuery {
  tenant?: string;
  option?: string;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  q?: string;
  cursor?: string;
  limit: number;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** What the audit log's timestamps can hold and the client maps: years 0001 to 9999 (UTC). */
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * The instant a `from`/`to` filter names. The schema has checked the RFC 3339 form already; a leap
 * second (`23:59:60`, valid there, unknown to Date) is read as the last millisecond before it, and
 * an instant outside years 0001–9999 is refused naming the parameter (never passed on to fail
 * in the database client).
 */
export function instantOf(parameter: 'from' | 'to', value: string): Date {
  const m = RFC3339.exec(value);
  // Date reads only the upper-case, T-separated form of what RFC 3339 allows.
  const text = m ? `${m[1].replace(/[t ]/, 'T')}:${m[2] === '60' ? '59.999' : `${m[2]}${m[3] ?? ''}`}${m[4].toUpperCase()}` : value;
  const at = new Date(text);
  const ms = at.getTime();
  if (!m || Number.isNaN(ms) || ms < EARLIEST || ms > LATEST) {
    throw new ValidationFailed('invalid request query', [
      { pointer: `/${parameter}`, rule: 'range', message: 'must be an RFC 3339 date-time between years 0001 and 9999 (UTC)' },
    ]);
  }
  return at;
}

/** `…/audit/actors`: who appears in the log, optionally for one tenant (global route). */
export const AUDIT_ACTORS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { tenant: { type: 'string', pattern: SLUG_PATTERN } },
} as const;
