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

/** Turns ajv's errors into issues rooted at `base` (e.g. "/value"). */
export function toIssues(errors: ErrorObject[] | null | undefined, base = ''): ValidationIssue[] {
  return (errors ?? []).map((e) => {
    let pointer = `${base}${e.instancePath}`;
    if (e.keyword === 'required') pointer += `/${(e.params as { missingProperty: string }).missingProperty}`;
    if (e.keyword === 'additionalProperties') {
      pointer += `/${(e.params as { additionalProperty: string }).additionalProperty}`;
    }
    return { pointer: pointer || '/', rule: e.keyword, message: e.message ?? e.keyword };
  });
}

export function check(validate: ValidateFunction, value: unknown, base = ''): ValidationIssue[] {
  return validate(value) ? [] : toIssues(validate.errors, base);
}
