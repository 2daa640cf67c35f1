import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { CheckPolicy } from '#policy';
import { PRESET_DEFINITION_SCHEMA } from './preset.loader.js';
import { Registry } from './registry.service.js';
import { embeddable } from './view-schema.js';

const PRESET = embeddable(PRESET_DEFINITION_SCHEMA);
import { Answers } from '#http';

/** Onboarding presets of the catalog: what `POST /v1/tenants` accepts as `preset`. */
@Controller('v1/presets')
export class PresetsController {
  constructor(@Inject(Registry) private readonly registry: Registry) {}

  @Get()
  @CheckPolicy('read', 'Registry')
  @Answers({ 200: { type: 'array', items: PRESET } })
  list() {
    return this.registry.presets();
  }

  @Get(':name')
  @CheckPolicy('read', 'Registry')
  @Answers({ 200: PRESET })
  get(@Param('name') name: string) {
    const preset = this.registry.preset(name);
    if (!preset) throw new NotFoundException(`unknown preset "${name}"`);
    return preset;
  }
}
