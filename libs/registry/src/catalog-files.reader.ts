import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { check } from './json-schema.validator.js';

export interface CatalogProblem {
  file: string;
  problem: string;
}

/** One catalog file that parsed and has the expected shape. */
export interface CatalogFile<T> {
  file: string;
  /** The file name without `.json`: must equal the document's own name or key. */
  stem: string;
  value: T;
  report: (problem: string) => void;
}

/**
 * The `names` files of `dir` that parse as JSON and pass `shape`, in order; each one that does
 * not is reported (`label` names the document kind in the message) and skipped.
 */
export function* catalogFiles<T>(
  dir: string,
  names: string[],
  shape: ValidateFunction,
  label: string,
  problems: CatalogProblem[],
): Generator<CatalogFile<T>> {
  for (const name of names) {
    const file = join(dir, name);
    const report = (problem: string) => problems.push({ file, problem });
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      report(`not valid JSON (${(err as Error).message})`);
      continue;
    }
    const issues = check(shape, raw);
    if (issues.length) {
      for (const i of issues) report(`${label} ${i.pointer} ${i.message} (${i.rule})`);
      continue;
    }
    yield { file, stem: basename(name, '.json'), value: raw as T, report };
  }
}
