import { STRING, DATE_TIME, nullable, objectOf } from '#registry';

const B64U = { type: 'string', pattern: '^[A-Za-z0-9_-]+$', maxLength: 16384 } as const;
const FINGERPRINT = { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' } as const;
const LABEL = { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' } as const;

/** A signature over the approval statement (docs/security.md): Ed25519 key or passkey assertion. */
export const SIGNATURE_SCHEMA = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'key', 'at', 'signature'],
      properties: { kind: { const: 'ed25519' }, key: FINGERPRINT, at: { type: 'string', format: 'date-time' }, signature: B64U },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'key', 'at', 'credentialId', 'authenticatorData', 'clientDataJSON', 'signature'],
      properties: {
        kind: { const: 'webauthn' },
        key: FINGERPRINT,
        at: { type: 'string', format: 'date-time' },
        credentialId: B64U,
        authenticatorData: B64U,
        clientDataJSON: B64U,
        signature: B64U,
      },
    },
  ],
} as const;

/** Approving a seal: nothing to say but, optionally, the signature. */
export const SIGNED_APPROVAL_BODY = { type: 'object', additionalProperties: false, properties: { signature: SIGNATURE_SCHEMA } } as const;

export const ENROL_CREDENTIAL_BODY = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'publicKey', 'label'],
      properties: { kind: { const: 'ed25519' }, publicKey: { type: 'string', minLength: 40, maxLength: 500 }, label: LABEL },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'response', 'label'],
      // The registration response as navigator.credentials.create() gives it; verified by the service.
      properties: { kind: { const: 'webauthn' }, response: { type: 'object' }, label: LABEL },
    },
  ],
} as const;

export const REMOVE_CREDENTIAL_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['fingerprint'],
  properties: { fingerprint: FINGERPRINT },
} as const;

export const CREDENTIAL_VIEW_SCHEMA = objectOf({
  fingerprint: STRING,
  kind: STRING,
  label: STRING,
  credentialId: nullable(STRING),
  createdAt: DATE_TIME,
});
