import { SLUG_PATTERN } from '../tenants/tenants.schemas.js';

const filters = {
  option: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' },
  actor: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
  action: { type: 'string', pattern: '^[a-z][a-z._]{0,63}$' },
  from: { type: 'string', format: 'date-time' },
  to: { type: 'string', format: 'date-time' },
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
  cursor?: string;
  limit: number;
}
