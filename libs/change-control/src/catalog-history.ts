import { Inject, Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { PrismaService, jsonInput, type PrismaTx } from '#persistence';
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

type Row = {
  id: bigint;
  optionKey: string;
  version: number;
  risk: string;
  defaultValue: unknown;
  schemaHash: string | null;
  reconciledAt: Date;
};

const view = (r: Row): DefinitionVersion => ({
  version: r.version,
  risk: r.risk,
  default: r.defaultValue as JsonValue,
  schemaHash: r.schemaHash,
  reconciledAt: r.reconciledAt.toISOString(),
});

/**
 * The history of catalog definitions (table catalog_definition_history): appended by the boot
 * reconciliation only, read by the registry routes and by seal verification.
 */
@Injectable()
export class CatalogHistory {
  constructor(@Inject(PrismaService) private readonly db: PrismaService) {}

  /** Versions of one option, oldest first. */
  async of(key: string): Promise<DefinitionVersion[]> {
    const rows = await this.db.catalogDefinitionHistory.findMany({ where: { optionKey: key }, orderBy: { id: 'asc' } });
    return rows.map(view);
  }

  /** Every option's versions, oldest first. */
  async all(tx: PrismaTx): Promise<Map<string, DefinitionVersion[]>> {
    const out = new Map<string, DefinitionVersion[]>();
    for (const r of await tx.catalogDefinitionHistory.findMany({ orderBy: { id: 'asc' } })) {
      out.set(r.optionKey, [...(out.get(r.optionKey) ?? []), view(r)]);
    }
    return out;
  }

  /**
   * Records `def` if it differs from the option's last recorded version (in the cross-tenant
   * maintenance scope). A last version recorded without a schema hash gets it when the catalog
   * still has that very version.
   */
  async record(tx: PrismaTx, def: OptionDefinition, at: Date): Promise<void> {
    const last = await tx.catalogDefinitionHistory.findFirst({ where: { optionKey: def.key }, orderBy: { id: 'desc' } });
    const schemaHash = schemaHashOf(def);
    if (last && last.version === def.version && last.risk === def.risk && isDeepStrictEqual(last.defaultValue, def.default)) {
      if (last.schemaHash === null) await tx.catalogDefinitionHistory.update({ where: { id: last.id }, data: { schemaHash } });
      if (last.schemaHash === null || last.schemaHash === schemaHash) return;
    }
    await tx.catalogDefinitionHistory.create({
      data: {
        optionKey: def.key,
        version: def.version,
        risk: def.risk,
        defaultValue: jsonInput(def.default) as never,
        schemaHash,
        reconciledAt: at,
      },
    });
  }
}

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
