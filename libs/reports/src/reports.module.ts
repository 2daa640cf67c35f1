import { Global, Module } from '@nestjs/common';
import { ExposureController } from './exposure.controller.js';
import { ExposureService } from './exposure.service.js';
import { InboxController } from './inbox.controller.js';
import { InboxService } from './inbox.service.js';
import { TenantStatusController } from './tenant-status.controller.js';
import { TenantStatusService } from './tenant-status.service.js';

const SERVICES = [ExposureService, InboxService, TenantStatusService];

/**
 * Reads across capabilities: which tenants have which risky options on, each tenant's seal and pending
 * requests, and what awaits the caller's approval.
 */
@Global()
@Module({ controllers: [ExposureController, InboxController, TenantStatusController], providers: SERVICES, exports: SERVICES })
export class ReportsModule {}
