import { Global, Module } from '@nestjs/common';
import { RegistryService } from './definitions.service.js';
import { PresetsController } from './presets.controller.js';
import { RegistryController } from './registry.controller.js';

/** The catalogue over HTTP: option definitions with the versions the data was reconciled with, presets. */
@Global()
@Module({ controllers: [RegistryController, PresetsController], providers: [RegistryService], exports: [RegistryService] })
export class RegistryModule {}
