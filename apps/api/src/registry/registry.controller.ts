import { Controller, Get, Inject, Param } from '@nestjs/common';
import { CheckPolicy } from '../../../../libs/policy/src/index.js';
import { Registry } from '../../../../libs/registry/src/index.js';
import { RegistryService } from './registry.service.js';

@Controller('v1/registry')
export class RegistryController {
  constructor(
    @Inject(Registry) private readonly registry: Registry,
    @Inject(RegistryService) private readonly definitions: RegistryService,
  ) {}

  @Get()
  @CheckPolicy('read', 'Registry')
  list() {
    return this.registry.list();
  }

  @Get(':key')
  @CheckPolicy('read', 'Registry')
  get(@Param('key') key: string) {
    return this.definitions.describe(key);
  }
}
