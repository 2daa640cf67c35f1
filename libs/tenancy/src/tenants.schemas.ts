export const SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';

export const CREATE_TENANT_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['slug', 'name', 'riskLevel'],
  properties: {
    slug: { type: 'string', pattern: SLUG_PATTERN },
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    // Risk level as in the CNIL e-voting recommendation: 1 (low stakes) to 3 (high stakes).
    riskLevel: { type: 'integer', minimum: 1, maximum: 3 },
    // A named preset of the catalog (never another tenant's values); presetVersion pins its version.
    preset: { type: 'string', pattern: '^[a-z][a-z0-9-]{1,62}$' },
    presetVersion: { type: 'integer', minimum: 1 },
  },
  dependentRequired: { presetVersion: ['preset'] },
} as const;

export interface CreateTenantBody {
  slug: string;
  name: string;
  riskLevel: number;
  preset?: string;
  presetVersion?: number;
}
