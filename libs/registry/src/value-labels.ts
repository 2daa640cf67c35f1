import type { LocalizedText } from './option-definition.js';

/**
 * Every string an option's schema enumerates, at any depth (items of a list, fields of an
 * object, branches of anyOf/oneOf): each is a value a person may see and needs a label.
 */
export function enumValuesOf(schema: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'enum' && Array.isArray(v)) v.filter((x): x is string => typeof x === 'string').forEach((x) => found.add(x));
      // `const` and `default` are values, not sub-schemas; `const` of a string is shown like an enum.
      else if (k === 'const' && typeof v === 'string') found.add(v);
      else if (k !== 'default' && k !== 'examples') walk(v);
    }
  };
  walk(schema);
  return [...found];
}

/** Boolean values may carry their own words; otherwise the shared On/Off pair applies. */
const BOOLEAN_KEYS = ['true', 'false'];

/** What is wrong with an option's value labels: an enumerated value without one, or a label for no value. */
export function valueLabelProblems(schema: unknown, labels: Record<string, LocalizedText> | undefined): string[] {
  const values = enumValuesOf(schema);
  const given = labels ?? {};
  const problems = values.filter((v) => !(v in given)).map((v) => `value "${v}" has no label in "valueLabels"`);
  for (const key of Object.keys(given)) {
    if (!values.includes(key) && !BOOLEAN_KEYS.includes(key))
      problems.push(`"valueLabels" names "${key}", which is not a value of the schema`);
  }
  return problems;
}
