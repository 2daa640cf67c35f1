import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { PrincipalIssuer } from '../../../../libs/identity/src/index.js';
import { SYSTEM_ACTOR, TenantScopeService } from '../../../../libs/tenancy/src/index.js';
import { CLOISON_CONFIG } from '../core.module.js';
import type { CloisonConfig } from '../config/app.config.js';

/** Arbitrary key of the lock that keeps two instances from both bootstrapping an empty database. */
const BOOTSTRAP_LOCK = 0x636c6f69;

/**
 * On first start with no principal at all, creates one operator so that someone can sign in:
 * with CLOISON_BOOTSTRAP_TOKEN when set, else a generated token printed once. On a database that
 * already has principals the variable is not applied, and the log says so: someone who set it to
 * regain access would otherwise believe it took effect.
 */
@Injectable()
export class BootstrapOperator implements OnApplicationBootstrap {
  private readonly logger = new Logger('bootstrap');

  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(PrincipalIssuer) private readonly issuer: PrincipalIssuer,
    @Inject(CLOISON_CONFIG) private readonly config: CloisonConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const issued = await this.scopes.run('all-tenants', async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`;
      if ((await tx.principal.count()) > 0) return 'exists' as const;
      return this.issuer.issue(
        tx,
        { name: 'bootstrap operator', role: 'operator', tenant: null, token: this.config.bootstrapToken },
        SYSTEM_ACTOR,
      );
    });
    if (issued === 'exists') {
      if (this.config.bootstrapToken) {
        this.logger.warn(
          'CLOISON_BOOTSTRAP_TOKEN was not applied: the database already has principals (it only creates the first operator); to regain access when every operator token is lost, run `cloison operator recover --name "..."`',
        );
      }
      return;
    }
    if (this.config.bootstrapToken) {
      this.logger.log(`created the bootstrap operator (${issued.id}) with the token from CLOISON_BOOTSTRAP_TOKEN`);
    } else {
      // Printed once, on stdout, so that the person starting the service can sign in.
      process.stdout.write(`\nCloison bootstrap operator token (shown once, store it now):\n  ${issued.token}\n\n`);
    }
  }
}
