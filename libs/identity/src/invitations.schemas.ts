export const INVITE_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'name'],
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
  },
} as const;

export interface InviteBody {
  email: string;
  name: string;
}

export const REDEEM_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['code'],
  properties: { code: { type: 'string', pattern: '^inv_[A-Za-z0-9_-]{43}$' } },
} as const;
