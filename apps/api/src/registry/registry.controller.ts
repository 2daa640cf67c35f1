import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { CheckPolicy } from '../../../../libs/policy/src/index.js';
import { Registry } from '../../../../libs/registry/src/index.js';

@Controller('v1/registry')
export class RegistryController {
  constructor(@Inject(Registry) private readonly registry: Registry) {}

  @Get()
  @CheckPolicy('read', 'Registry')
  list() {
    return this.registry.list();
  }

  @Get(':key')
  @CheckPolicy('read', 'Registry')
  get(@Param('key') key: string) {
    const def = this.registry.find(key);
    if (!def) throw new NotFoundException(`unknown option "${key}"`);
    return def;
  }
}
