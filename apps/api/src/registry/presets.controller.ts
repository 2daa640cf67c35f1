import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { CheckPolicy } from '../../../../libs/policy/src/index.js';
import { Registry } from '../../../../libs/registry/src/index.js';

/** Onboarding presets of the catalog: what `POST /v1/tenants` accepts as `preset`. */
@Controller('v1/presets')
export class PresetsController {
  constructor(@Inject(Registry) private readonly registry: Registry) {}

  @Get()
  @CheckPolicy('read', 'Registry')
  list() {
    return this.registry.presets();
  }

  @Get(':name')
  @CheckPolicy('read', 'Registry')
  get(@Param('name') name: string) {
    const preset = this.registry.preset(name);
    if (!preset) throw new NotFoundException(`unknown preset "${name}"`);
    return preset;
  }
}
