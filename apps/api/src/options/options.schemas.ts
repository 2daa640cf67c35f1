export const SET_OPTION_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['value', 'reason'],
  properties: {
    // Any JSON value; the option's own schema in the registry judges it.
    value: {},
    reason: { type: 'string', minLength: 3, maxLength: 1000, pattern: '\\S' },
  },
} as const;

export const RESET_OPTION_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: SET_OPTION_BODY.properties.reason },
} as const;

export interface SetOptionBody {
  value: unknown;
  reason: string;
}

export interface ResetOptionBody {
  reason: string;
}
