import jsonPatch from 'fast-json-patch';

export type JsonPatchOperation = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

const container = (v: unknown): 'array' | 'object' | null =>
  Array.isArray(v) ? 'array' : v !== null && typeof v === 'object' ? 'object' : null;

/**
 * Field-level RFC 6902 patch turning `before` into `after`. Scalars, and containers of a
 * different kind, are replaced whole at the root pointer "".
 */
export function jsonDiff(before: unknown, after: unknown): JsonPatchOperation[] {
  const kind = container(before);
  if (kind === null || kind !== container(after)) {
    return [{ op: 'replace', path: '', value: after ?? null }];
  }
  return jsonPatch.compare(before as object, after as object) as JsonPatchOperation[];
}
