import { Global, Module } from '@nestjs/common';
import { SignedApprovalsController } from './signed-approvals.controller.js';
import { SealStepsMarker } from './seal-steps.marker.js';
import { SignedApprovalsSetting } from './signed-approvals.service.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsService } from './tenants.service.js';

/** Tenants over HTTP: creation (optionally from a preset), listing, lookup, the signed-approvals setting. */
@Global()
@Module({
  controllers: [TenantsController, SignedApprovalsController],
  providers: [TenantsService, SignedApprovalsSetting, SealStepsMarker],
  exports: [TenantsService],
})
export class TenancyModule {}
