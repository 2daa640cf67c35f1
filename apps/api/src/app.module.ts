import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { DiscoveryModule } from '@nestjs/core';
import { AuditModule } from '#audit/audit.module';
import { ChangeControlModule } from '#change-control/change-control.module';
import type { CloisonConfig } from '#config';
import { EvaluationModule } from '#evaluation/evaluation.module';
import { OpenApiController } from '#http';
import { IdentityModule } from '#identity/identity.module';
import { ObservabilityModule } from '#observability/observability.module';
import { OptionsModule } from '#options';
import type { Database } from '#persistence';
import { RegistryModule } from '#registry/registry.module';
import type { Registry } from '#registry';
import { ReportsModule } from '#reports';
import { SealsModule } from '#seals/seals.module';
import { TenancyModule } from '#tenancy/tenancy.module';
import { ConsoleRootController } from './console/console-root.controller.js';
import { CoreModule } from './core.module.js';

/**
 * Composes the capabilities. Their modules are global, as CoreModule is: each capability's services
 * are visible to the others without an import graph between modules (which would have cycles).
 */
@Module({})
export class AppModule {
  static forRoot(config: CloisonConfig, database: Database, registry: Registry): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // The environment was validated against ENV_SCHEMA before boot (loadConfig); Nest's
        // ConfigService serves that validated result, never raw process.env.
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          skipProcessEnv: true,
          cache: true,
          load: [() => ({ cloison: config })],
        }),
        CoreModule.forRoot(config, database, registry),
        DiscoveryModule,
        ObservabilityModule,
        IdentityModule,
        RegistryModule,
        TenancyModule,
        OptionsModule,
        AuditModule,
        ChangeControlModule,
        SealsModule,
        ReportsModule,
        EvaluationModule,
      ],
      controllers: [ConsoleRootController, OpenApiController],
    };
  }
}
