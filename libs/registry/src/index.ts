export { CatalogError, lintCatalog, loadCatalog, loadRegistry, type CatalogProblem } from './catalog.loader.js';
export { createAjv, toIssues, type ValidationIssue } from './json-schema.validator.js';
export * from './view-schema.js';
export {
  OPTION_DEFINITION_SCHEMA,
  RISKS,
  type JsonValue,
  type LoadedOption,
  type LocalizedText,
  type OptionDefinition,
  type Risk,
} from './option-definition.js';
export { isExposed } from './exposure.rule.js';
export { Registry, UnknownOptionError } from './registry.service.js';
export { PRESET_DEFINITION_SCHEMA, lintPresets, type PresetDefinition } from './preset.loader.js';
