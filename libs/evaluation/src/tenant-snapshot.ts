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
 * Every effective value of one tenant, with the OFREP response bodies serialised once: the hot
 * path only looks them up and writes them out.
 */
export interface TenantSnapshot {
  readonly tenantId: string;
  /** Strong ETag of the bulk body; the tenant id is hashed in, so two tenants never share one. */
  readonly etag: string;
  readonly bulkBody: string;
  /** Option key → single-flag response body. */
  readonly flagBodies: ReadonlyMap<string, string>;
  readonly flags: readonly FlagEvaluation[];
  /** Approximate size of the serialised bodies (UTF-16 code units × 2). */
  readonly approxBytes: number;
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

export function buildSnapshot(tenantId: string, definitions: readonly OptionDefinition[], rows: readonly StoredValue[]): TenantSnapshot {
  const flags = evaluateTenant(definitions, rows);
  const flagBodies = new Map(flags.map((f) => [f.key, JSON.stringify(f)]));
  const bulkBody = JSON.stringify({ flags });
  const digest = createHash('sha256').update(tenantId).update('\0').update(bulkBody).digest('base64url');
  let approxBytes = bulkBody.length * 2;
  for (const body of flagBodies.values()) approxBytes += body.length * 2;
  return { tenantId, etag: `"${digest.slice(0, 32)}"`, bulkBody, flagBodies, flags, approxBytes };
}

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
