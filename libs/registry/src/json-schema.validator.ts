import { Ajv2020, type ErrorObject, type Options, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** A validation failure named by where it is (JSON pointer) and which rule it broke. */
export interface ValidationIssue {
  pointer: string;
  rule: string;
  message: string;
}

// ajv-formats is CommonJS; under ESM its function sits on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv2020,
) => Ajv2020;

export function createAjv(extra: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, ...extra });
  addFormats(ajv);
  return ajv;
}

/** The property a failed `not: { required: [p] }` forbids (known when ajv runs `verbose`). */
function forbidden(e: ErrorObject): string | undefined {
  if (e.keyword !== 'not') return undefined;
  const negated = e.schema as { required?: unknown } | undefined;
  if (!negated || typeof negated !== 'object' || Object.keys(negated).length !== 1) return undefined;
  const [only, ...more] = Array.isArray(negated.required) ? negated.required : [];
  return typeof only === 'string' && more.length === 0 ? only : undefined;
}

function issueOf(e: ErrorObject, base: string): ValidationIssue {
  let pointer = `${base}${e.instancePath}`;
  const absent = forbidden(e);
  if (absent !== undefined)
    return { pointer: `${pointer}/${absent}`, rule: 'not', message: 'must be absent with the values given to the other fields' };
  if (e.keyword === 'required') pointer += `/${(e.params as { missingProperty: string }).missingProperty}`;
  if (e.keyword === 'additionalProperties') {
    pointer += `/${(e.params as { additionalProperty: string }).additionalProperty}`;
  }
  return { pointer: pointer || '/', rule: e.keyword, message: e.message ?? e.keyword };
}

/**
 * Turns ajv's errors into issues rooted at `base` (e.g. "/value"), each naming a field and a rule.
 * A failed if/then/else is told by its branch's own errors: ajv's extra "must match then schema"
 * names neither, and is kept only if it were all there is.
 */
export function toIssues(errors: ErrorObject[] | null | undefined, base = ''): ValidationIssue[] {
  const all = errors ?? [];
  const told = all.filter((e) => e.keyword !== 'if');
  return (told.length ? told : all).map((e) => issueOf(e, base));
}

export function check(validate: ValidateFunction, value: unknown, base = ''): ValidationIssue[] {
  return validate(value) ? [] : toIssues(validate.errors, base);
}
