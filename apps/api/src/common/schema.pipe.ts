import { Injectable, type PipeTransform } from '@nestjs/common';
import type { ValidateFunction } from 'ajv';
import { createAjv, toIssues } from '../../../../libs/registry/src/index.js';
import { ValidationFailed } from './api-errors.js';

// if/then/else request schemas name properties declared at the top level.
const plain = createAjv({ strictRequired: false });
const coercing = createAjv({ strictRequired: false, coerceTypes: true, useDefaults: true });

const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object, coerce: boolean): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = (coerce ? coercing : plain).compile(schema);
    compiled.set(schema, v);
  }
  return v;
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
  ) {
    this.validate = validatorFor(schema, where === 'query');
  }

  transform(value: unknown): unknown {
    // Query objects are copied because coercion rewrites them in place.
    const input = this.where === 'query' ? { ...(value as object) } : value;
    if (input === undefined) {
      throw new ValidationFailed('request body is required (JSON)', [{ pointer: '/', rule: 'required', message: 'body is missing' }]);
    }
    if (!this.validate(input)) {
      throw new ValidationFailed(`invalid request ${this.where}`, toIssues(this.validate.errors));
    }
    return input;
  }
}
