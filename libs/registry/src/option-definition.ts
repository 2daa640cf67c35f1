import type { ValidateFunction } from 'ajv';

export const RISKS = ['low', 'medium', 'high', 'critical'] as const;
export type Risk = (typeof RISKS)[number];

export interface LocalizedText {
  en: string;
  fr: string;
}

/** JSON Schema of a LocalizedText, shared by option and preset definitions. */
export const LOCALIZED_TEXT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['en', 'fr'],
  properties: { en: { type: 'string', minLength: 1 }, fr: { type: 'string', minLength: 1 } },
} as const;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One option of the registry, as written in `catalog/options/<key>.json`. */
export interface OptionDefinition {
  key: string;
  version: number;
  risk: Risk;
  title: LocalizedText;
  description: LocalizedText;
  /** JSON Schema 2020-12 that every value of this option must satisfy. */
  schema: Record<string, unknown>;
  default: JsonValue;
  /** The value that exposes nothing; required for critical options, whose default must be it. */
  safe?: JsonValue;
  /**
   * For secrecy options: every value, most secret first. Under an election seal such an option
   * may only move towards more secrecy, and only through the break-glass path.
   */
  secrecy?: JsonValue[];
  /**
   * Words for each value in EN and FR, keyed by the value: every string the schema enumerates
   * must have one (linted). Booleans may have `"true"`/`"false"` labels; without them a
   * console shows the shared On/Off pair.
   */
  valueLabels?: Record<string, LocalizedText>;
}

/** The JSON Schema (2020-12) a catalog file must satisfy before its contents are checked. */
export const OPTION_DEFINITION_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['key', 'version', 'risk', 'title', 'description', 'schema', 'default'],
  properties: {
    $schema: { type: 'string' },
    key: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,62}$' },
    version: { type: 'integer', minimum: 1 },
    risk: { enum: [...RISKS] },
    title: { $ref: '#/$defs/localized' },
    description: { $ref: '#/$defs/localized' },
    schema: { type: 'object' },
    default: true,
    safe: true,
    secrecy: { type: 'array', minItems: 2 },
    valueLabels: { type: 'object', additionalProperties: { $ref: '#/$defs/localized' } },
  },
  $defs: { localized: LOCALIZED_TEXT_SCHEMA },
} as const;

/** A catalogue option with its compiled value schema and the file it came from. */
export interface LoadedOption {
  definition: OptionDefinition;
  validate: ValidateFunction;
  file: string;
}
