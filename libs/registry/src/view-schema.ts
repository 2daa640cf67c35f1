/**
 * Small builders for the JSON Schemas (2020-12) of the API's response views. Each view's schema
 * is written once, next to its TypeScript type; the OpenAPI document and the contract tests read it.
 */
export type JsonSchema = Record<string, unknown>;

export const STRING = { type: 'string' } as const;
export const INTEGER = { type: 'integer' } as const;
export const BOOLEAN = { type: 'boolean' } as const;
export const DATE_TIME = { type: 'string', format: 'date-time' } as const;
export const UUID = { type: 'string', format: 'uuid' } as const;
/** Any JSON value (an option value, a free-form document). */
export const ANY_JSON = {} as const;

export const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
export const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
export const oneOfStrings = (values: readonly string[]): JsonSchema => ({ type: 'string', enum: [...values] });

/** A closed object: every property listed is required unless named in `optional`. */
export function objectOf(properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    properties,
  };
}

export const REF = objectOf({ id: STRING, name: STRING });

/**
 * A schema written as a document of its own (`$schema`, local `#/$defs/…` references), made fit
 * to sit inside another document: the dialect dropped, local references replaced by their target.
 */
export function embeddable(schema: object): JsonSchema {
  const { $schema: _dialect, $defs, ...rest } = schema as JsonSchema & { $defs?: Record<string, unknown> };
  const inline = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(inline);
    if (node === null || typeof node !== 'object') return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/$defs/')) return inline($defs?.[ref.slice('#/$defs/'.length)]);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
  };
  return inline(rest) as JsonSchema;
}
