import { SET_OPTION_BODY } from '#options';
import { SLUG_PATTERN } from '#tenancy';

/** Tenants are always listed by name: there is no "all tenants". */
export const BULK_CHANGE_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['option', 'operation', 'tenants', 'reason'],
  properties: {
    option: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,62}$' },
    operation: { enum: ['set', 'reset'] },
    value: {},
    tenants: { type: 'array', minItems: 1, maxItems: 500, uniqueItems: true, items: { type: 'string', pattern: SLUG_PATTERN } },
    reason: SET_OPTION_BODY.properties.reason,
    dryRun: { type: 'boolean' },
    /** The `planHash` of the dry run being applied. */
    planHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
  allOf: [
    { if: { properties: { operation: { const: 'set' } } }, then: { required: ['value'] }, else: { not: { required: ['value'] } } },
    {
      if: { properties: { dryRun: { const: true } }, required: ['dryRun'] },
      then: { not: { required: ['planHash'] } },
      else: { required: ['planHash'] },
    },
  ],
} as const;

export interface BulkChangeBody {
  option: string;
  operation: 'set' | 'reset';
  value?: unknown;
  tenants: string[];
  reason: string;
  dryRun?: boolean;
  planHash?: string;
}
