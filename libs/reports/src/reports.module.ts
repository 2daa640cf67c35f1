import { Global, Module } from '@nestjs/common';
import { ExposureController } from './exposure.controller.js';
import { ExposureService } from './exposure.service.js';

/** Exposure reports: which tenants have which risky options on, overall and per tenant. */
@Global()
@Module({ controllers: [ExposureController], providers: [ExposureService], exports: [ExposureService] })
export class ReportsModule {}
