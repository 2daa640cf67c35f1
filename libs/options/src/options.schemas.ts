import { SLUG_PATTERN } from '#tenancy';

export const SET_OPTION_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['value', 'reason'],
  properties: {
    // Any JSON value; the option's own schema in the registry judges it.
    value: {},
    reason: { type: 'string', minLength: 3, maxLength: 1000, pattern: '\\S' },
    // Optional; when given it must name the tenant of the path (409 otherwise).
    tenant: { type: 'string', pattern: SLUG_PATTERN },
  },
} as const;

export const RESET_OPTION_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: SET_OPTION_BODY.properties.reason, tenant: SET_OPTION_BODY.properties.tenant },
} as const;

export interface SetOptionBody {
  value: unknown;
  reason: string;
  tenant?: string;
}

export interface ResetOptionBody {
  reason: string;
  tenant?: string;
}
