import { isDeepStrictEqual } from 'node:util';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { catalogFiles, type CatalogProblem } from './catalog-files.reader.js';
import { check, createAjv } from './json-schema.validator.js';
import { OPTION_DEFINITION_SCHEMA, type LoadedOption, type OptionDefinition } from './option-definition.js';
import { lintPresets, type PresetDefinition } from './preset.loader.js';
import { Registry } from './registry.service.js';
import { valueLabelProblems } from './value-labels.js';

export type { CatalogProblem };

export class CatalogError extends Error {
  constructor(readonly problems: CatalogProblem[]) {
    super(`invalid option catalog:\n${problems.map((p) => `  ${p.file}: ${p.problem}`).join('\n')}`);
    this.name = 'CatalogError';
  }
}

/**
 * Reads and checks every `<key>.json` under `<dir>/options`, then the presets under
 * `<dir>/presets`. Returns all problems at once so an author fixes the catalog in one pass;
 * `loadCatalog` and `loadRegistry` throw when there is any.
 */
export function lintCatalog(dir: string): { options: LoadedOption[]; presets: PresetDefinition[]; problems: CatalogProblem[] } {
  const ajv = createAjv();
  const checkDefinition = ajv.compile(OPTION_DEFINITION_SCHEMA);
  const optionsDir = join(dir, 'options');
  const problems: CatalogProblem[] = [];
  const options: LoadedOption[] = [];
  let files: string[];
  try {
    files = readdirSync(optionsDir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (err) {
    return { options, presets: [], problems: [{ file: optionsDir, problem: `cannot read folder (${(err as Error).message})` }] };
  }
  if (files.length === 0) problems.push({ file: optionsDir, problem: 'no option definitions found' });

  for (const { file, stem, value: def, report } of catalogFiles<OptionDefinition>(
    optionsDir,
    files,
    checkDefinition,
    'definition',
    problems,
  )) {
    if (stem !== def.key) report(`key "${def.key}" does not match the file name`);
    let validate: ValidateFunction;
    try {
      validate = ajv.compile({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...def.schema });
    } catch (err) {
      report(`schema is not a valid JSON Schema 2020-12 (${(err as Error).message})`);
      continue;
    }
    for (const i of check(validate, def.default, '/default')) report(`default ${i.pointer} ${i.message} (${i.rule})`);
    if (def.safe !== undefined) {
      for (const i of check(validate, def.safe, '/safe')) report(`safe value ${i.pointer} ${i.message} (${i.rule})`);
    }
    if (def.secrecy !== undefined) {
      def.secrecy.forEach((v, i) =>
        check(validate, v, `/secrecy/${i}`).forEach((x) => report(`secrecy ${x.pointer} ${x.message} (${x.rule})`)),
      );
      if (def.safe !== undefined && !isDeepStrictEqual(def.secrecy[0], def.safe)) report('secrecy order must start with the safe value');
    }
    valueLabelProblems(def.schema, def.valueLabels).forEach(report);
    if (def.risk === 'critical') {
      if (def.safe === undefined) report('critical option must state its safe value ("safe")');
      else if (!isDeepStrictEqual(def.default, def.safe)) {
        report(`critical option's default ${JSON.stringify(def.default)} is not its safe value ${JSON.stringify(def.safe)}`);
      }
    }
    options.push({ definition: def, validate, file });
  }
  const seen = new Set<string>();
  for (const o of options) {
    if (seen.has(o.definition.key)) problems.push({ file: o.file, problem: `duplicate key "${o.definition.key}"` });
    seen.add(o.definition.key);
  }
  const linted = lintPresets(dir, options);
  return { options, presets: linted.presets, problems: [...problems, ...linted.problems] };
}

export function loadCatalog(dir: string): LoadedOption[] {
  const { options, problems } = lintCatalog(dir);
  if (problems.length) throw new CatalogError(problems);
  return options;
}

/** The registry of a catalog folder: options and presets, refused as a whole if any is invalid. */
export function loadRegistry(dir: string): Registry {
  const { options, presets, problems } = lintCatalog(dir);
  if (problems.length) throw new CatalogError(problems);
  return new Registry(options, presets);
}
