import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { PrincipalIssuer } from './principal.issuer.js';
import { SYSTEM_ACTOR, TenantScopeService } from '#tenancy';
import { CLOISON_CONFIG } from '#config';
import type { CloisonConfig } from '#config';

/** Arbitrary key of the lock that keeps two instances from both bootstrapping an empty database. */
const BOOTSTRAP_LOCK = 0x636c6f69;

/**
 * On first start with no principal at all, creates the two initial operators, each its own
 * person (lineage): afterwards a new operator needs another operator's approval, so one alone
 * could never grow the team. Tokens come from CLOISON_BOOTSTRAP_TOKEN(_2) or are printed once.
 * On a database that already has principals the variables are not applied, and the log says so:
 * someone who set one to regain access would otherwise believe it took effect.
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
    const chosen = [this.config.bootstrapToken, this.config.bootstrapToken2];
    const issued = await this.scopes.run('all-tenants', async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`;
      if ((await tx.principal.count()) > 0) return null;
      const out = [];
      for (const [i, token] of chosen.entries()) {
        const name = i === 0 ? 'bootstrap operator' : 'second bootstrap operator';
        out.push(await this.issuer.issue(tx, { name, role: 'operator', tenant: null, token, lineage: 'own' }, SYSTEM_ACTOR));
      }
      return out;
    });
    if (!issued) {
      const ignored = ['CLOISON_BOOTSTRAP_TOKEN', 'CLOISON_BOOTSTRAP_TOKEN_2'].filter((_, i) => chosen[i]);
      if (ignored.length) {
        this.logger.warn(
          `${ignored.join(' and ')} ${ignored.length > 1 ? 'were' : 'was'} not applied: the database already has principals (they only create the first operators); to regain access when every operator token is lost, run \`cloison operator recover --name "..."\``,
        );
      }
      return;
    }
    for (const [i, p] of issued.entries()) {
      const variable = i === 0 ? 'CLOISON_BOOTSTRAP_TOKEN' : 'CLOISON_BOOTSTRAP_TOKEN_2';
      if (chosen[i]) {
        this.logger.log(`created the ${p.name} (${p.id}) with the token from ${variable}`);
      } else {
        // Printed once, on stdout: give each token to a different person.
        process.stdout.write(`\nCloison ${p.name} token (shown once, store it now, give it to one person only):\n  ${p.token}\n\n`);
      }
    }
  }
}
