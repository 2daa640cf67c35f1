import { Controller, Get, Inject, Param } from '@nestjs/common';
import { CheckPolicy } from '#policy';
import { OPTION_DEFINITION_SCHEMA } from './option-definition.js';
import { Registry } from './registry.service.js';
import { embeddable } from './view-schema.js';
import { DESCRIBED_OPTION_SCHEMA, RegistryService } from './definitions.service.js';
import { Answers } from '#http';

@Controller('v1/registry')
export class RegistryController {
  constructor(
    @Inject(Registry) private readonly registry: Registry,
    @Inject(RegistryService) private readonly definitions: RegistryService,
  ) {}

  @Get()
  @CheckPolicy('read', 'Registry')
  @Answers({ 200: { type: 'array', items: embeddable(OPTION_DEFINITION_SCHEMA) } })
  list() {
    return this.registry.list();
  }

  @Get(':key')
  @CheckPolicy('read', 'Registry')
  @Answers({ 200: DESCRIBED_OPTION_SCHEMA })
  get(@Param('key') key: string) {
    return this.definitions.describe(key);
  }
}
