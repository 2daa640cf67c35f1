import type { JsonValue, OptionDefinition } from '#registry';
import { sha256Canonical } from './content-hash.js';

/** One catalog definition version as the reconciliation recorded it. */
export const DEFINITION_VERSION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'risk', 'default', 'schemaHash', 'reconciledAt'],
  properties: {
    version: { type: 'integer' },
    risk: { type: 'string' },
    default: {},
    schemaHash: { type: ['string', 'null'] },
    reconciledAt: { type: 'string', format: 'date-time' },
  },
} as const;

export interface DefinitionVersion {
  version: number;
  risk: string;
  default: JsonValue;
  /** SHA-256 of the canonical JSON of the option's schema; null if recorded before hashes were kept. */
  schemaHash: string | null;
  reconciledAt: string;
}

export const schemaHashOf = (def: Pick<OptionDefinition, 'schema'>): string => sha256Canonical(def.schema);

/**
 * Whether definition `to` (the last recorded) keeps the rules of `from`: every version recorded
 * from `from` on has the same schema and risk, so only the default moved. A tenant that did not
 * rely on that default (or was pinned to it) is governed exactly as before.
 */
export function sameRules(history: DefinitionVersion[], from: number, to: number): boolean {
  const start = history.findIndex((v) => v.version === from);
  const tail = history.slice(start);
  const last = tail[tail.length - 1];
  if (start < 0 || !last || last.version !== to) return false;
  const first = tail[0] as DefinitionVersion;
  return first.schemaHash !== null && tail.every((v) => v.schemaHash === first.schemaHash && v.risk === first.risk);
}
