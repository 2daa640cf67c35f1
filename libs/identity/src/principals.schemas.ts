import { OIDC_SUBJECT_PATTERN } from './oidc.verifier.js';
import { ROLES } from '#tenancy';
import { SLUG_PATTERN } from '#tenancy';

export const CREATE_PRINCIPAL_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'role'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    role: { enum: [...ROLES] },
    tenant: { type: 'string', pattern: SLUG_PATTERN },
    // A person at the configured identity provider (issuer = OIDC_ISSUER), instead of a token.
    oidc: {
      type: 'object',
      additionalProperties: false,
      required: ['subject'],
      properties: { subject: { type: 'string', pattern: OIDC_SUBJECT_PATTERN } },
    },
    // When the token stops working (services, automation); a person signing in through the identity provider has no token.
    tokenExpiresAt: { type: 'string', format: 'date-time' },
  },
  dependentSchemas: { oidc: { not: { required: ['tokenExpiresAt'] } } },
  // Tenant-bound roles name their tenant; roles that span tenants must not.
  if: { properties: { role: { enum: ['client_admin', 'service'] } } },
  then: { required: ['tenant'] },
  else: { not: { required: ['tenant'] } },
} as const;

export interface CreatePrincipalBody {
  name: string;
  role: (typeof ROLES)[number];
  tenant?: string;
  oidc?: { subject: string };
  tokenExpiresAt?: string;
}
