import { Module, type DynamicModule } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { ConfigModule } from '@nestjs/config';
import { DiscoveryModule } from '@nestjs/core';
import { ChangeListener, SnapshotCache } from '../../../libs/evaluation/src/index.js';
import type { Database } from '../../../libs/persistence/src/index.js';
import type { Registry } from '../../../libs/registry/src/index.js';
import { CHANGE_CONTROL_PROVIDERS, DEFAULT_CHANGE_POLICY } from '../../../libs/change-control/src/index.js';
import { ChangeRequestsController } from './change-requests/change-requests.controller.js';
import { SealSigner, Seals } from '../../../libs/seals/src/index.js';
import { SealsController } from './seals/seals.controller.js';
import { ExposureController } from './reports/exposure.controller.js';
import { ExposureService } from './reports/exposure.service.js';
import { InboxController } from './inbox/inbox.controller.js';
import { InboxService } from './inbox/inbox.service.js';
import { BulkChangesController } from './bulk-changes/bulk-changes.controller.js';
import { BulkChangesService } from './bulk-changes/bulk-changes.service.js';
import { AuditChainController } from './audit/audit-chain.controller.js';
import { AuditChainService } from './audit/audit-chain.service.js';
import { AuditActorsController } from './audit/audit-actors.controller.js';
import { AuditActorsService } from './audit/audit-actors.service.js';
import { AuditController } from './audit/audit.controller.js';
import { AuditService } from './audit/audit.service.js';
import { BootstrapOperator } from './bootstrap/bootstrap-operator.service.js';
import type { CloisonConfig } from './config/app.config.js';
import { CoreModule, SERVICE_SIGNING_KEY } from './core.module.js';
import { OfrepController } from './evaluation/ofrep.controller.js';
import { OfrepService } from './evaluation/ofrep.service.js';
import { ConsoleRootController } from './console/console-root.controller.js';
import { HealthController } from './health/health.controller.js';
import { Lifecycle } from './health/lifecycle.service.js';
import { MetricsController } from './health/metrics.controller.js';
import { OpenApiController } from './openapi/openapi.controller.js';
import { MeController } from './me/me.controller.js';
import { OptionsController } from './options/options.controller.js';
import { OptionsService } from './options/options.service.js';
import { InvitationMailer } from './invitations/invitation.mailer.js';
import { InvitationsController, TenantPeopleController } from './invitations/invitations.controller.js';
import { InvitationsService } from './invitations/invitations.service.js';
import { PrincipalRequestsController, PrincipalsController, TenantPrincipalRequestsController } from './principals/principals.controller.js';
import { PrincipalRequestsService } from './principals/principal-requests.service.js';
import { PrincipalsService } from './principals/principals.service.js';
import { PresetsController } from './registry/presets.controller.js';
import { RegistryController } from './registry/registry.controller.js';
import { RegistryService } from './registry/registry.service.js';
import { TenantStatusController } from './tenants/tenant-status.controller.js';
import { TenantStatusService } from './tenants/tenant-status.service.js';
import { TenantsController } from './tenants/tenants.controller.js';
import { TenantsService } from './tenants/tenants.service.js';

@Module({})
export class AppModule {
  static forRoot(config: CloisonConfig, database: Database, registry: Registry): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // The environment was validated against ENV_SCHEMA before boot (loadConfig); Nest's
        // ConfigService serves that validated result, never raw process.env.
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, skipProcessEnv: true, cache: true, load: [() => ({ cloison: config })] }),
        CoreModule.forRoot(config, database, registry),
        DiscoveryModule,
      ],
      controllers: [
        ConsoleRootController, HealthController, MetricsController, MeController, RegistryController, PresetsController, TenantsController, OptionsController,
        PrincipalsController, PrincipalRequestsController, TenantPrincipalRequestsController, TenantPeopleController, InvitationsController, AuditController, AuditActorsController, AuditChainController, ChangeRequestsController, BulkChangesController,
        SealsController, ExposureController, InboxController, TenantStatusController, OfrepController, OpenApiController,
      ],
      providers: [
        { provide: DEFAULT_CHANGE_POLICY, useValue: config.defaultChanges },
        ...CHANGE_CONTROL_PROVIDERS,
        { provide: SealSigner, inject: [SERVICE_SIGNING_KEY], useFactory: (key: KeyObject) => new SealSigner(key) },
        Seals,
        Lifecycle,
        BulkChangesService,
        ExposureService,
        InboxService,
        TenantStatusService,
        TenantsService,
        OptionsService,
        PrincipalsService,
        PrincipalRequestsService,
        InvitationsService,
        InvitationMailer,
        AuditService,
        AuditActorsService,
        AuditChainService,
        BootstrapOperator,
        SnapshotCache,
        ChangeListener,
        OfrepService,
        RegistryService,
      ],
    };
  }
}
