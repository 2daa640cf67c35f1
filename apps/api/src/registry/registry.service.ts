import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CatalogHistory, type DefinitionVersion } from '../../../../libs/change-control/src/index.js';
import { Registry, type OptionDefinition } from '../../../../libs/registry/src/index.js';

/** One option's definition as the catalog has it now, with every version the data was reconciled with. */
@Injectable()
export class RegistryService {
  constructor(
    @Inject(Registry) private readonly registry: Registry,
    @Inject(CatalogHistory) private readonly history: CatalogHistory,
  ) {}

  async describe(key: string): Promise<OptionDefinition & { history: DefinitionVersion[] }> {
    const def = this.registry.find(key);
    if (!def) throw new NotFoundException(`unknown option "${key}"`);
    return { ...def, history: await this.history.of(key) };
  }
}
