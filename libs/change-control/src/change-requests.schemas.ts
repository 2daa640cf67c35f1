import { REQUEST_STATUSES } from './change-request.store.js';
import { SET_OPTION_BODY } from '#options';
import { SIGNATURE_SCHEMA } from '#identity';

const reason = SET_OPTION_BODY.properties.reason;

export const CREATE_CHANGE_REQUEST_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['option', 'operation', 'reason'],
  properties: {
    option: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,62}$' },
    operation: { enum: ['set', 'reset'] },
    // Any JSON value; the option's own schema in the registry judges it.
    value: {},
    reason,
    tenant: SET_OPTION_BODY.properties.tenant,
  },
  if: { properties: { operation: { const: 'set' } } },
  then: { required: ['value'] },
  else: { not: { required: ['value'] } },
} as const;

export const EDIT_CHANGE_REQUEST_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { value: {}, reason },
} as const;

/** The approver echoes the content hash they reviewed; an edit in between makes it stale. */
export const APPROVE_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['contentHash'],
  properties: { contentHash: { type: 'string', pattern: '^[0-9a-f]{64}$' }, signature: SIGNATURE_SCHEMA },
} as const;

export const DECISION_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason },
} as const;

export const LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { enum: [...REQUEST_STATUSES] } },
} as const;

export interface CreateChangeRequestBody {
  option: string;
  operation: 'set' | 'reset';
  value?: unknown;
  reason: string;
  tenant?: string;
}
