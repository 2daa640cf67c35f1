import { Global, Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import {
  AuditCheckpointer,
  AuditLinker,
  AuditRecorder,
  AuditSigner,
  AuditWitness,
  ServiceKeys,
  leftKeyWarning,
  loadSigningKey,
} from '#audit';
import { parsePrivateKey } from '#audit-format';
import {
  Authenticator,
  CONSOLE_SETTINGS,
  ConsoleSessions,
  LineageReader,
  OIDC_SETTINGS,
  PrincipalIssuer,
  PrincipalRevoker,
} from '#identity';
import { PrismaService, ReadPrismaService, type Database } from '#persistence';
import { AUTH_FAILURE_LIMIT, PolicyGuard } from '#policy';
import { Registry } from '#registry';
import { OptionRowsCache, TenantDirectory, TenantScopeService } from '#tenancy';
import { HttpErrorFilter } from '#http';
import { CLOISON_CONFIG, SERVICE_SIGNING_KEY, type CloisonConfig } from '#config';

/** What every feature module relies on: database, tenancy, identity, policy, registry, audit. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: CloisonConfig, database: Database, registry: Registry): DynamicModule {
    const { key, left } = loadSigningKey({
      configured: config.auditSigningKey,
      dir: config.dataDir ? config.secretsDir : undefined,
      dataDir: config.dataDir,
    });
    if (left) new Logger('audit').warn(leftKeyWarning(left));
    const signer = new AuditSigner(key);
    const providers: Provider[] = [
      { provide: CLOISON_CONFIG, useValue: config },
      { provide: SERVICE_SIGNING_KEY, useValue: key },
      { provide: OIDC_SETTINGS, useValue: config.oidc ?? null },
      {
        provide: CONSOLE_SETTINGS,
        useValue: {
          signIn: config.oidc && config.consoleSignIn ? { issuer: config.oidc.issuer, ...config.consoleSignIn } : undefined,
          ...config.consoleSession,
          serviceKey: key,
        },
      },
      { provide: AUTH_FAILURE_LIMIT, useValue: { max: config.authFailureMax, windowMs: config.rateLimitWindowMs } },
      { provide: Registry, useValue: registry },
      { provide: PrismaService, useFactory: () => new PrismaService(database) },
      { provide: ReadPrismaService, useFactory: () => new ReadPrismaService(database) },
      TenantScopeService,
      TenantDirectory,
      OptionRowsCache,
      Authenticator,
      ConsoleSessions,
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
          new ServiceKeys(
            scopes,
            audit,
            signer,
            key,
            config.auditPreviousSigningKey ? parsePrivateKey(config.auditPreviousSigningKey) : undefined,
          ),
      },
      // One instance, global guard of Nest's pipeline and authoriser of the routes served directly.
      PolicyGuard,
      { provide: APP_GUARD, useExisting: PolicyGuard },
      { provide: APP_FILTER, useClass: HttpErrorFilter },
    ];
    // Everything it provides, but Nest's global guard and filter, is shared with the capability modules.
    const exported = providers.map((p) => (typeof p === 'function' ? p : p.provide)).filter((t) => t !== APP_GUARD && t !== APP_FILTER);
    return { module: CoreModule, providers, exports: exported };
  }
}
