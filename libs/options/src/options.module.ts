import { Global, Module } from '@nestjs/common';
import { OptionsController } from './options.controller.js';
import { OptionsService } from './options.service.js';

/** A tenant's option values: read, set and reset, every write through the change gate. */
@Global()
@Module({ controllers: [OptionsController], providers: [OptionsService], exports: [OptionsService] })
export class OptionsModule {}
