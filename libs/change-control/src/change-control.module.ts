import { Global, Module } from '@nestjs/common';
import { CLOISON_CONFIG, type CloisonConfig } from '#config';
import { BulkChangesController } from './bulk-changes.controller.js';
import { BulkChangesService } from './bulk-changes.service.js';
import { DEFAULT_CHANGE_POLICY } from './catalog-defaults.reconciler.js';
import { CHANGE_CONTROL_PROVIDERS } from './change-control.providers.js';
import { ChangeRequestsController } from './change-requests.controller.js';

const PROVIDERS = [...CHANGE_CONTROL_PROVIDERS, BulkChangesService];

/** Change requests, approvals, bulk changes and the catalogue's default changes. */
@Global()
@Module({
  controllers: [ChangeRequestsController, BulkChangesController],
  providers: [
    { provide: DEFAULT_CHANGE_POLICY, inject: [CLOISON_CONFIG], useFactory: (config: CloisonConfig) => config.defaultChanges },
    ...PROVIDERS,
  ],
  exports: [DEFAULT_CHANGE_POLICY, ...PROVIDERS],
})
export class ChangeControlModule {}
