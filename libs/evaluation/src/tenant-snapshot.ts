import { createHash } from 'node:crypto';
import { INTEGER, RISKS, STRING, arrayOf, objectOf, oneOfStrings, type JsonValue, type OptionDefinition } from '#registry';

/** What the snapshot needs of a stored option value row. */
export interface StoredValue {
  optionKey: string;
  isSet: boolean;
  value: unknown;
  version: number;
}

/**
 * OpenFeature resolution reasons used here. A registry default involves no evaluation at all
 * (STATIC); a tenant's own value is chosen because the caller's tenant matched it (TARGETING_MATCH).
 */
export type EvaluationReason = 'STATIC' | 'TARGETING_MATCH';

/** An OFREP flag value: boolean, string, integer, float or object — never an array or null. */
export type OfrepValue = boolean | string | number | { [key: string]: JsonValue };

export interface FlagEvaluation {
  key: string;
  value: OfrepValue;
  reason: EvaluationReason;
  variant: 'default' | 'tenant';
  metadata: { source: 'default' | 'tenant'; version: number; risk: OptionDefinition['risk'] };
}

/** A flag without a value OFREP can carry: the protocol's evaluation failure (bulk item or single 400). */
export interface FlagFailure {
  key: string;
  errorCode: 'GENERAL';
  errorDetails: string;
}

export const FLAG_EVALUATION_SCHEMA = objectOf({
  key: STRING,
  value: { type: ['boolean', 'string', 'number', 'object'] },
  reason: oneOfStrings(['STATIC', 'TARGETING_MATCH']),
  variant: oneOfStrings(['default', 'tenant']),
  metadata: objectOf({ source: oneOfStrings(['default', 'tenant']), version: INTEGER, risk: oneOfStrings(RISKS) }),
});

export const FLAG_FAILURE_SCHEMA = objectOf({ key: STRING, errorCode: oneOfStrings(['GENERAL']), errorDetails: STRING });

export const BULK_EVALUATION_SCHEMA = objectOf({ flags: arrayOf({ anyOf: [FLAG_EVALUATION_SCHEMA, FLAG_FAILURE_SCHEMA] }) });

/**
 * The value as OFREP types it. Arrays are not an OFREP value type: they are served as
 * `{"items": [...]}`. A null value (an option left empty) falls back to the option's declared
 * default; when that is null too there is no value to give, and the caller's code default applies.
 */
export function ofrepValue(value: JsonValue, fallback: JsonValue): OfrepValue | undefined {
  const v = value === null ? fallback : value;
  if (v === null) return undefined;
  return Array.isArray(v) ? { items: v } : v;
}

/**
 * Every effective value of one tenant, with the OFREP response bodies serialised once into a
 * single buffer: the hot path only writes it out (bulk) or a view of it (one flag). Buffers live
 * outside the JavaScript heap, so ten thousand snapshots add little to garbage collection.
 */
export class TenantSnapshot {
  constructor(
    readonly tenantId: string,
    /** Strong ETag of the bulk body; the tenant id is hashed in, so two tenants never share one. */
    readonly etag: string,
    /** `{"flags":[…]}` as UTF-8. */
    readonly bulkBody: Buffer,
    /** Catalog key → position, shared by every snapshot built from the same catalog. */
    private readonly index: ReadonlyMap<string, number>,
    /** Byte range of each flag's object inside `bulkBody`, in catalog order. */
    private readonly ranges: Uint32Array,
    /** Keys whose item is an evaluation failure, with its details (usually none). */
    private readonly failures: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** Why `key` has no value, when its item is an evaluation failure. */
  failure(key: string): string | undefined {
    return this.failures.size === 0 ? undefined : this.failures.get(key);
  }

  /** The single-flag response body of `key` (a view into the bulk body), or undefined. */
  flagBody(key: string): Buffer | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.bulkBody.subarray(this.ranges[2 * i], this.ranges[2 * i + 1]);
  }

  /** Bytes held by this snapshot's buffers. */
  get approxBytes(): number {
    return this.bulkBody.byteLength + this.ranges.byteLength + this.etag.length;
  }
}

/** Effective value of each catalog option: the tenant's own value, else the registry default. */
export function evaluateTenant(definitions: readonly OptionDefinition[], rows: readonly StoredValue[]): (FlagEvaluation | FlagFailure)[] {
  const byKey = new Map(rows.map((r) => [r.optionKey, r]));
  return definitions.map((def) => {
    const row = byKey.get(def.key);
    const own = row?.isSet === true;
    const value = ofrepValue(own ? (row.value as JsonValue) : def.default, def.default);
    if (value === undefined)
      return {
        key: def.key,
        errorCode: 'GENERAL',
        errorDetails: `option "${def.key}" has no value (null) for this tenant: use the code default`,
      };
    return {
      key: def.key,
      value,
      reason: own ? 'TARGETING_MATCH' : 'STATIC',
      variant: own ? 'tenant' : 'default',
      metadata: { source: own ? 'tenant' : 'default', version: row?.version ?? 0, risk: def.risk },
    };
  });
}

const indexes = new WeakMap<readonly OptionDefinition[], ReadonlyMap<string, number>>();

function indexOf(definitions: readonly OptionDefinition[]): ReadonlyMap<string, number> {
  let index = indexes.get(definitions);
  if (!index) {
    index = new Map(definitions.map((d, i) => [d.key, i]));
    indexes.set(definitions, index);
  }
  return index;
}

export function buildSnapshot(tenantId: string, definitions: readonly OptionDefinition[], rows: readonly StoredValue[]): TenantSnapshot {
  const flags = evaluateTenant(definitions, rows);
  const failures = new Map(flags.flatMap((f) => ('errorCode' in f ? [[f.key, f.errorDetails] as const] : [])));
  const parts = flags.map((f) => Buffer.from(JSON.stringify(f), 'utf8'));
  const open = Buffer.from('{"flags":[');
  const ranges = new Uint32Array(parts.length * 2);
  const chunks: Buffer[] = [open];
  let at = open.length;
  parts.forEach((part, i) => {
    if (i > 0) {
      chunks.push(COMMA);
      at += 1;
    }
    ranges[2 * i] = at;
    ranges[2 * i + 1] = at + part.length;
    chunks.push(part);
    at += part.length;
  });
  chunks.push(CLOSE);
  const bulkBody = Buffer.concat(chunks);
  const digest = createHash('sha256').update(tenantId).update('\0').update(bulkBody).digest('base64url');
  return new TenantSnapshot(tenantId, `"${digest.slice(0, 32)}"`, bulkBody, indexOf(definitions), ranges, failures);
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

/** Whether an If-None-Match header names `etag` (weak comparison, `*` matches anything). */
export function ifNoneMatchHits(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (raw === etag) return true;
  for (const part of raw.split(',')) {
    const tag = part.trim();
    if (tag === '*' || tag === etag || (tag.startsWith('W/') && tag.slice(2) === etag)) return true;
  }
  return false;
}
