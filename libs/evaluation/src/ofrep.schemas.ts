/**
 * OFREP v1 request bodies (single and bulk evaluation share one). The evaluation context is
 * open-ended by the protocol; Cloison reads only the attributes declared here.
 */
export const OFREP_EVALUATION_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    context: {
      type: 'object',
      properties: {
        targetingKey: { type: 'string', maxLength: 256 },
        // The tenant the caller believes it evaluates for (slug or id); must be the token's own.
        tenant: { type: 'string', minLength: 1, maxLength: 128 },
      },
    },
  },
} as const;

export interface OfrepEvaluationBody {
  context?: { targetingKey?: string; tenant?: string; [attribute: string]: unknown };
}

export const OFREP_ERROR_CODES = ['PARSE_ERROR', 'TARGETING_KEY_MISSING', 'INVALID_CONTEXT', 'GENERAL', 'FLAG_NOT_FOUND'] as const;
export type OfrepErrorCode = (typeof OFREP_ERROR_CODES)[number];

/** Error bodies of the OFREP routes: the protocol's fields beside the shared error's (see OfrepErrorFilter). */
export const OFREP_ERROR_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    key: { type: 'string' },
    errorCode: { enum: [...OFREP_ERROR_CODES] },
    errorDetails: { type: 'string' },
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'array', items: { type: 'object' } },
    requestId: { type: 'string' },
  },
} as const;
