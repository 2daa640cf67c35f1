import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DEFINITION_VERSION_SCHEMA, CatalogHistory, type DefinitionVersion } from '#change-control';
import { OPTION_DEFINITION_SCHEMA, type OptionDefinition } from './option-definition.js';
import { Registry } from './registry.service.js';
import { embeddable } from './view-schema.js';

const DEFINITION = embeddable(OPTION_DEFINITION_SCHEMA) as { required: string[]; properties: object };

/** An option's definition with the versions the data was reconciled with. */
export const DESCRIBED_OPTION_SCHEMA = {
  ...DEFINITION,
  required: [...DEFINITION.required, 'history'],
  properties: { ...DEFINITION.properties, history: { type: 'array', items: DEFINITION_VERSION_SCHEMA } },
};

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
