import { Injectable, type PipeTransform } from '@nestjs/common';
import type { ValidateFunction } from 'ajv';
import { createAjv, toIssues, type ValidationIssue } from '#registry';
import { ValidationFailed } from './api-errors.js';

// if/then/else request schemas name properties declared at the top level. Verbose errors carry
// the failing schema, so that a `not: { required }` is reported at the property it forbids.
const plain = createAjv({ strictRequired: false, verbose: true });
const coercing = createAjv({ strictRequired: false, verbose: true, coerceTypes: true, useDefaults: true });

const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object, coerce: boolean): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = (coerce ? coercing : plain).compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

/** Deeper than any request or option value needs; deeper input is refused before it is walked. */
export const MAX_DEPTH = 32;

interface Frame {
  value: object;
  key: string;
  parent: Frame | undefined;
  depth: number;
}

/** JSON Pointer of a frame, built only when there is something to report. */
function pointerOf(frame: Frame | undefined, lastKey?: string): string {
  const keys = lastKey === undefined ? [] : [lastKey];
  for (let f = frame; f?.parent; f = f.parent) keys.push(f.key);
  return (
    keys
      .reverse()
      .map((k) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)
      .join('') || '/'
  );
}

type CharacterProblem = Omit<ValidationIssue, 'pointer'>;
const NUL: CharacterProblem = { rule: 'characters', message: 'must not contain U+0000' };
const LONE_SURROGATE: CharacterProblem = { rule: 'unicode', message: 'must be well-formed Unicode (no lone surrogate)' };

/**
 * What is wrong with the characters of a string or key, if anything: U+0000 (PostgreSQL text and
 * jsonb cannot hold it) or a lone surrogate (JSON.parse turns `"\ud800"` into one; it is not text:
 * stored it is mangled, hashed into the audit chain it fails). Two native scans per string.
 */
function characterProblem(s: string): CharacterProblem | undefined {
  if (s.includes('\u0000')) return NUL;
  return s.isWellFormed() ? undefined : LONE_SURROGATE;
}

/**
 * The first problem no schema states: a string or key characterProblem refuses, or nesting deeper
 * than MAX_DEPTH. Iterative, so hostile nesting cannot exhaust the stack; it runs on every request
 * body and query, for every route, so pointers are only built for a problem found.
 */
export function storableIssue(input: unknown): ValidationIssue | undefined {
  if (typeof input === 'string') {
    const problem = characterProblem(input);
    return problem && { pointer: '/', ...problem };
  }
  if (input === null || typeof input !== 'object') return undefined;
  const stack: Frame[] = [{ value: input, key: '', parent: undefined, depth: 0 }];
  while (stack.length) {
    const frame = stack.pop() as Frame;
    if (frame.depth >= MAX_DEPTH)
      return { pointer: pointerOf(frame), rule: 'maxDepth', message: `must not nest deeper than ${MAX_DEPTH} levels` };
    const record = frame.value as Record<string, unknown>;
    for (const k of Object.keys(record)) {
      const v = record[k];
      const problem = characterProblem(k) ?? (typeof v === 'string' ? characterProblem(v) : undefined);
      if (problem) return { pointer: pointerOf(frame, k), ...problem };
      if (v !== null && typeof v === 'object') stack.push({ value: v, key: k, parent: frame, depth: frame.depth + 1 });
    }
  }
  return undefined;
}

/**
 * The one request validation pipe: checks a body (or, with `coerce`, a query string) against
 * an ajv schema and answers 400 naming the pointer and rule of every problem.
 */
@Injectable()
export class SchemaPipe implements PipeTransform {
  private readonly validate: ValidateFunction;

  constructor(
    readonly schema: object,
    private readonly where: 'body' | 'query' = 'body',
    /** A body that may be left out entirely (then checked as {}). */
    private readonly optional = false,
  ) {
    this.validate = validatorFor(schema, where === 'query');
  }

  transform(value: unknown): unknown {
    // Query objects are copied because coercion rewrites them in place.
    const input = this.where === 'query' ? { ...(value as object) } : value === undefined && this.optional ? {} : value;
    if (input === undefined) {
      throw new ValidationFailed('request body is required (JSON)', [{ pointer: '/', rule: 'required', message: 'body is missing' }]);
    }
    const issue = storableIssue(input);
    if (issue) throw new ValidationFailed(`invalid request ${this.where}`, [issue]);
    if (!this.validate(input)) {
      throw new ValidationFailed(`invalid request ${this.where}`, toIssues(this.validate.errors));
    }
    return input;
  }
}
