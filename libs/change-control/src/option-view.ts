import type { OptionValue } from '#persistence';
import {
  ANY_JSON,
  DATE_TIME,
  INTEGER,
  REF,
  RISKS,
  nullable,
  objectOf,
  oneOfStrings,
  type JsonValue,
  type OptionDefinition,
} from '#registry';

export interface OptionView {
  key: string;
  value: unknown;
  source: 'default' | 'tenant';
  version: number;
  risk: OptionDefinition['risk'];
  updatedAt: string | null;
  updatedBy: { id: string; name: string } | null;
}

export const OPTION_VIEW_SCHEMA = objectOf({
  key: { type: 'string' },
  value: ANY_JSON,
  source: oneOfStrings(['default', 'tenant']),
  version: INTEGER,
  risk: oneOfStrings(RISKS),
  updatedAt: nullable(DATE_TIME),
  updatedBy: nullable(REF),
});

export type StoredRow = Pick<OptionValue, 'isSet' | 'value' | 'version' | 'updatedAt' | 'updatedById' | 'updatedBy'>;

/** A requested change of one option: a new value, or back to the registry default. */
export type Change = { isSet: true; value: JsonValue } | { isSet: false };

/** Effective value: the tenant's own stored value, else the registry default. Nothing else. */
export function optionView(def: OptionDefinition, row: StoredRow | null): OptionView {
  const own = row?.isSet === true;
  return {
    key: def.key,
    value: own ? row.value : def.default,
    source: own ? 'tenant' : 'default',
    version: row?.version ?? 0,
    risk: def.risk,
    updatedAt: row ? row.updatedAt.toISOString() : null,
    updatedBy: row ? { id: row.updatedById, name: row.updatedBy } : null,
  };
}
