import { Inject, Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { PrismaService, jsonInput, type PrismaTx } from '#persistence';
import type { JsonValue, OptionDefinition } from '#registry';
import { schemaHashOf, type DefinitionVersion } from './definition-version.js';

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
