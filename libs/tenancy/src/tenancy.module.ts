import { Global, Module } from '@nestjs/common';
import { TenantsController } from './tenants.controller.js';
import { TenantsService } from './tenants.service.js';

/** Tenants over HTTP: creation (optionally from a preset), listing, lookup. */
@Global()
@Module({ controllers: [TenantsController], providers: [TenantsService], exports: [TenantsService] })
export class TenancyModule {}
