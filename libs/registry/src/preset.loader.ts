import { isDeepStrictEqual } from 'node:util';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { catalogFiles, type CatalogProblem } from './catalog-files.reader.js';
import { check, createAjv } from './json-schema.validator.js';
import { LOCALIZED_TEXT_SCHEMA, type JsonValue, type LoadedOption, type LocalizedText } from './option-definition.js';

/** A named, versioned starting configuration for new tenants, as in `catalog/presets/<name>.json`. */
export interface PresetDefinition {
  name: string;
  version: number;
  title: LocalizedText;
  description: LocalizedText;
  /** Option key → value the new tenant starts with; every other option stays at its default. */
  options: Record<string, JsonValue>;
}

export const PRESET_DEFINITION_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version', 'title', 'description', 'options'],
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', pattern: '^[a-z][a-z0-9-]{1,62}$' },
    version: { type: 'integer', minimum: 1 },
    title: { $ref: '#/$defs/localized' },
    description: { $ref: '#/$defs/localized' },
    options: { type: 'object', minProperties: 1, propertyNames: { pattern: '^[a-z][a-z0-9_]{1,62}$' } },
  },
  $defs: { localized: LOCALIZED_TEXT_SCHEMA },
} as const;

/**
 * Reads and checks every `<name>.json` under `<dir>/presets` against the loaded options: known
 * keys, values valid for each option's schema, and critical options only at their safe value.
 * The folder is optional.
 */
export function lintPresets(dir: string, options: LoadedOption[]): { presets: PresetDefinition[]; problems: CatalogProblem[] } {
  const presetsDir = join(dir, 'presets');
  const presets: PresetDefinition[] = [];
  const problems: CatalogProblem[] = [];
  if (!existsSync(presetsDir)) return { presets, problems };
  const checkShape = createAjv().compile(PRESET_DEFINITION_SCHEMA);
  const byKey = new Map(options.map((o) => [o.definition.key, o]));
  const names = readdirSync(presetsDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const { stem, value: preset, report } of catalogFiles<PresetDefinition>(presetsDir, names, checkShape, 'preset', problems)) {
    if (stem !== preset.name) report(`name "${preset.name}" does not match the file name`);
    let ok = true;
    for (const [key, value] of Object.entries(preset.options)) {
      const option = byKey.get(key);
      if (!option) {
        report(`sets unknown option "${key}"`);
        ok = false;
        continue;
      }
      const issues = check(option.validate, value, `/options/${key}`);
      for (const i of issues) report(`value ${i.pointer} ${i.message} (${i.rule})`);
      if (issues.length) ok = false;
      const def = option.definition;
      if (def.risk === 'critical' && !isDeepStrictEqual(value, def.safe)) {
        report(
          `sets critical option "${key}" to ${JSON.stringify(value)}; a preset may only set it to its safe value ${JSON.stringify(def.safe)}`,
        );
        ok = false;
      }
    }
    if (ok) presets.push(preset);
  }
  return { presets, problems };
}
