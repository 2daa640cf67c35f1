import { check, type ValidationIssue } from './json-schema.validator.js';
import type { JsonValue, LoadedOption, OptionDefinition } from './option-definition.js';
import type { PresetDefinition } from './preset.loader.js';

export class UnknownOptionError extends Error {
  constructor(readonly key: string) {
    super(`unknown option "${key}"`);
    this.name = 'UnknownOptionError';
  }
}

/** The loaded catalog: the only judge of what value an option may take. */
export class Registry {
  private readonly byKey: ReadonlyMap<string, LoadedOption>;
  private readonly presetsByName: ReadonlyMap<string, PresetDefinition>;

  constructor(options: LoadedOption[], presets: PresetDefinition[] = []) {
    this.byKey = new Map(options.map((o) => [o.definition.key, o]));
    this.presetsByName = new Map(presets.map((p) => [p.name, p]));
  }

  presets(): PresetDefinition[] {
    return [...this.presetsByName.values()];
  }

  preset(name: string): PresetDefinition | undefined {
    return this.presetsByName.get(name);
  }

  list(): OptionDefinition[] {
    return [...this.byKey.values()].map((o) => o.definition);
  }

  find(key: string): OptionDefinition | undefined {
    return this.byKey.get(key)?.definition;
  }

  get(key: string): OptionDefinition {
    const found = this.find(key);
    if (!found) throw new UnknownOptionError(key);
    return found;
  }

  /** Problems with `value` for option `key`, pointers rooted at `base` (empty = valid). */
  validate(key: string, value: unknown, base = '/value'): ValidationIssue[] {
    const loaded = this.byKey.get(key);
    if (!loaded) throw new UnknownOptionError(key);
    return check(loaded.validate, value, base);
  }

  defaultOf(key: string): JsonValue {
    return this.get(key).default;
  }
}
