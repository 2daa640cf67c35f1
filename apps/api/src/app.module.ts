import { Module, type DynamicModule } from '@nestjs/common';
import { ChangeListener, SnapshotCache } from '../../../libs/evaluation/src/index.js';
import type { Database } from '../../../libs/persistence/src/index.js';
import type { Registry } from '../../../libs/registry/src/index.js';
import { AuditChainController } from './audit/audit-chain.controller.js';
import { AuditChainService } from './audit/audit-chain.service.js';
import { AuditController } from './audit/audit.controller.js';
import { AuditService } from './audit/audit.service.js';
import { BootstrapOperator } from './bootstrap/bootstrap-operator.service.js';
import type { CloisonConfig } from './config/app.config.js';
import { CoreModule } from './core.module.js';
import { OfrepController } from './evaluation/ofrep.controller.js';
import { OfrepService } from './evaluation/ofrep.service.js';
import { HealthController } from './health/health.controller.js';
import { MeController } from './me/me.controller.js';
import { OptionsController } from './options/options.controller.js';
import { OptionsService } from './options/options.service.js';
import { PrincipalsController } from './principals/principals.controller.js';
import { PrincipalsService } from './principals/principals.service.js';
import { RegistryController } from './registry/registry.controller.js';
import { TenantsController } from './tenants/tenants.controller.js';
import { TenantsService } from './tenants/tenants.service.js';

@Module({})
export class AppModule {
  static forRoot(config: CloisonConfig, database: Database, registry: Registry): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config, database, registry)],
      controllers: [
        HealthController, MeController, RegistryController, TenantsController, OptionsController, PrincipalsController, AuditController,
        AuditChainController, OfrepController,
      ],
      providers: [
        TenantsService, OptionsService, PrincipalsService, AuditService, AuditChainService, BootstrapOperator, SnapshotCache,
        ChangeListener, OfrepService,
      ],
    };
  }
}
