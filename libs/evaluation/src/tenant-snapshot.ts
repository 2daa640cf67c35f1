import { createHash } from 'node:crypto';
import type { JsonValue, OptionDefinition } from '../../registry/src/index.js';

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

export interface FlagEvaluation {
  key: string;
  value: JsonValue;
  reason: EvaluationReason;
  variant: 'default' | 'tenant';
  metadata: { source: 'default' | 'tenant'; version: number; risk: OptionDefinition['risk'] };
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
  ) {}

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
export function evaluateTenant(definitions: readonly OptionDefinition[], rows: readonly StoredValue[]): FlagEvaluation[] {
  const byKey = new Map(rows.map((r) => [r.optionKey, r]));
  return definitions.map((def) => {
    const row = byKey.get(def.key);
    const own = row?.isSet === true;
    return {
      key: def.key,
      value: own ? (row.value as JsonValue) : def.default,
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
  const parts = evaluateTenant(definitions, rows).map((f) => Buffer.from(JSON.stringify(f), 'utf8'));
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
  return new TenantSnapshot(tenantId, `"${digest.slice(0, 32)}"`, bulkBody, indexOf(definitions), ranges);
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
