import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditCheckpointer, AuditRecorder, AuditSigner, AuditWitness, loadSigningKey } from '../../../libs/audit/src/index.js';
import { Authenticator, PrincipalIssuer } from '../../../libs/identity/src/index.js';
import { PrismaService, type Database } from '../../../libs/persistence/src/index.js';
import { PolicyGuard } from '../../../libs/policy/src/index.js';
import { Registry } from '../../../libs/registry/src/index.js';
import { TenantDirectory, TenantScopeService } from '../../../libs/tenancy/src/index.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import type { CloisonConfig } from './config/app.config.js';

export const CLOISON_CONFIG = Symbol('CLOISON_CONFIG');

/** What every feature module relies on: database, tenancy, identity, policy, registry, audit. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: CloisonConfig, database: Database, registry: Registry): DynamicModule {
    const signer = new AuditSigner(loadSigningKey({ configured: config.auditSigningKey, dataDir: config.dataDir }).key);
    const shared = [
      PrismaService, TenantScopeService, TenantDirectory, Authenticator, PrincipalIssuer,
      AuditRecorder, AuditWitness, AuditSigner, AuditCheckpointer, Registry, CLOISON_CONFIG,
    ];
    return {
      module: CoreModule,
      providers: [
        { provide: CLOISON_CONFIG, useValue: config },
        { provide: Registry, useValue: registry },
        { provide: PrismaService, useFactory: () => new PrismaService(database) },
        TenantScopeService,
        TenantDirectory,
        Authenticator,
        PrincipalIssuer,
        AuditRecorder,
        AuditWitness,
        { provide: AuditSigner, useValue: signer },
        {
          provide: AuditCheckpointer,
          inject: [TenantScopeService, AuditWitness],
          useFactory: (scopes: TenantScopeService, witness: AuditWitness) =>
            new AuditCheckpointer(scopes, witness, signer, {
              everyEvents: config.auditCheckpointEvery,
              everySeconds: config.auditCheckpointSeconds,
            }),
        },
        { provide: APP_GUARD, useClass: PolicyGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
      exports: shared,
    };
  }
}
