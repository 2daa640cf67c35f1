import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditCheckpointer, AuditLinker, AuditRecorder, AuditSigner, AuditWitness, ServiceKeys, loadSigningKey, parsePrivateKey } from '../../../libs/audit/src/index.js';
import { Authenticator, LineageReader, OIDC_SETTINGS, PrincipalIssuer, PrincipalRevoker } from '../../../libs/identity/src/index.js';
import { PrismaService, ReadPrismaService, type Database } from '../../../libs/persistence/src/index.js';
import { AUTH_FAILURE_LIMIT, PolicyGuard } from '../../../libs/policy/src/index.js';
import { Registry } from '../../../libs/registry/src/index.js';
import { OptionRowsCache, TenantDirectory, TenantScopeService } from '../../../libs/tenancy/src/index.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import type { CloisonConfig } from './config/app.config.js';

export const CLOISON_CONFIG = Symbol('CLOISON_CONFIG');
/** The service's one Ed25519 key: audit checkpoints and seal documents (one public key to trust). */
export const SERVICE_SIGNING_KEY = Symbol('SERVICE_SIGNING_KEY');

/** What every feature module relies on: database, tenancy, identity, policy, registry, audit. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: CloisonConfig, database: Database, registry: Registry): DynamicModule {
    const { key } = loadSigningKey({ configured: config.auditSigningKey, dataDir: config.dataDir });
    const signer = new AuditSigner(key);
    const shared = [
      PrismaService, ReadPrismaService, TenantScopeService, TenantDirectory, OptionRowsCache, Authenticator, PrincipalIssuer, PrincipalRevoker, LineageReader,
      AuditRecorder, AuditLinker, AuditWitness, AuditSigner, AuditCheckpointer, ServiceKeys, Registry, CLOISON_CONFIG, SERVICE_SIGNING_KEY,
    ];
    return {
      module: CoreModule,
      providers: [
        { provide: CLOISON_CONFIG, useValue: config },
        { provide: SERVICE_SIGNING_KEY, useValue: key },
        { provide: OIDC_SETTINGS, useValue: config.oidc ?? null },
        { provide: AUTH_FAILURE_LIMIT, useValue: { max: config.authFailureMax, windowMs: config.rateLimitWindowMs } },
        { provide: Registry, useValue: registry },
        { provide: PrismaService, useFactory: () => new PrismaService(database) },
        { provide: ReadPrismaService, useFactory: () => new ReadPrismaService(database) },
        TenantScopeService,
        TenantDirectory,
        OptionRowsCache,
        Authenticator,
        PrincipalIssuer,
        PrincipalRevoker,
        LineageReader,
        AuditRecorder,
        AuditLinker,
        AuditWitness,
        { provide: AuditSigner, useValue: signer },
        {
          provide: AuditCheckpointer,
          inject: [TenantScopeService, AuditWitness, AuditLinker],
          useFactory: (scopes: TenantScopeService, witness: AuditWitness, linker: AuditLinker) =>
            new AuditCheckpointer(scopes, witness, signer, linker, {
              everyEvents: config.auditCheckpointEvery,
              everySeconds: config.auditCheckpointSeconds,
            }),
        },
        {
          // Before anything signs: refuses to start with a key other than the published one.
          provide: ServiceKeys,
          inject: [TenantScopeService, AuditRecorder],
          useFactory: (scopes: TenantScopeService, audit: AuditRecorder) =>
            new ServiceKeys(scopes, audit, signer, key, config.auditPreviousSigningKey ? parsePrivateKey(config.auditPreviousSigningKey) : undefined),
        },
        // One instance, global guard of Nest's pipeline and authoriser of the routes served directly.
        PolicyGuard,
        { provide: APP_GUARD, useExisting: PolicyGuard },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
      exports: shared,
    };
  }
}
