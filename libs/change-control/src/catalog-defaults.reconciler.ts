import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { AuditRecorder } from '../../audit/src/index.js';
import { jsonInput, type PrismaTx } from '../../persistence/src/index.js';
import { Registry, type JsonValue, type OptionDefinition } from '../../registry/src/index.js';
import { SYSTEM_ACTOR, TenantScopeService, type TenantRef } from '../../tenancy/src/index.js';
import { ChangeGate } from './change.gate.js';

/** What boot does when a high/critical option's default moves under tenants relying on it. */
export type DefaultChangePolicy = 'pin' | 'refuse';
export const DEFAULT_CHANGE_POLICY = Symbol('DEFAULT_CHANGE_POLICY');

/** Arbitrary key of the lock that keeps two instances from reconciling at once. */
const RECONCILE_LOCK = 0x636c6f6a;

export interface DefaultChange {
  option: string;
  risk: string;
  before: { version: number; default: JsonValue } | null;
  after: { version: number; default: JsonValue };
  /** Tenants whose effective value is the default, so would change with it. */
  impact: string[];
}

export class DefaultChangeRefused extends Error {
  constructor(readonly changes: DefaultChange[]) {
    super(
      'catalog changes the default of sensitive options that tenants rely on (CLOISON_DEFAULT_CHANGES=refuse):\n' +
        changes.map((c) => `  ${c.option}: ${JSON.stringify(c.before?.default)} -> ${JSON.stringify(c.after.default)}; tenants: ${c.impact.join(', ')}`).join('\n'),
    );
    this.name = 'DefaultChangeRefused';
  }
}

const sensitive = (risk: string | undefined) => risk === 'high' || risk === 'critical';

/**
 * At boot, compares the catalog's defaults with the ones the data was last reconciled with
 * (table catalog_defaults). Each changed default is one audited `registry.default_changed`
 * event carrying its impact report. Tenants relying on the default of a high or critical
 * option are pinned to their current value (`option.pinned`, audited per tenant), or boot
 * refuses, as configured. All in one transaction.
 */
@Injectable()
export class CatalogDefaultsReconciler implements OnApplicationBootstrap {
  private readonly logger = new Logger('catalog');

  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(Registry) private readonly registry: Registry,
    @Inject(ChangeGate) private readonly gate: ChangeGate,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(DEFAULT_CHANGE_POLICY) private readonly policy: DefaultChangePolicy,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const changes = await this.reconcile();
    for (const c of changes.filter((x) => x.before)) {
      this.logger.log(`default of ${c.option} changed ${JSON.stringify(c.before?.default)} -> ${JSON.stringify(c.after.default)}; tenants affected: ${c.impact.length}`);
    }
  }

  async reconcile(): Promise<DefaultChange[]> {
    return this.scopes.runMaintenance(async (tx, enter) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${RECONCILE_LOCK})`;
      const stored = new Map((await tx.catalogDefault.findMany()).map((r) => [r.optionKey, r]));
      const changes: (DefaultChange & { def: OptionDefinition; pin: boolean })[] = [];
      for (const def of this.registry.list()) {
        const prev = stored.get(def.key);
        if (prev && isDeepStrictEqual(prev.defaultValue, def.default)) continue;
        const impact = prev ? (await this.relyingOnDefault(tx, def.key)).map((t) => t.slug) : [];
        changes.push({
          def,
          option: def.key,
          risk: def.risk,
          before: prev ? { version: prev.version, default: prev.defaultValue as JsonValue } : null,
          after: { version: def.version, default: def.default },
          impact,
          pin: impact.length > 0 && (sensitive(def.risk) || sensitive(prev?.risk)),
        });
      }
      const sensitiveChanges = changes.filter((c) => c.pin);
      if (this.policy === 'refuse' && sensitiveChanges.length) throw new DefaultChangeRefused(sensitiveChanges);

      // A first record (new database or new option) changes no tenant's value: stored, not audited.
      const first = changes.filter((c) => !c.before);
      if (first.length) {
        const appliedAt = new Date();
        await tx.catalogDefault.createMany({
          data: first.map(({ def }) => ({ optionKey: def.key, version: def.version, risk: def.risk, defaultValue: jsonInput(def.default) as never, appliedAt })),
        });
      }
      for (const { def, pin, ...change } of changes.filter((c) => c.before)) {
        const pinned: string[] = [];
        if (pin && change.before) {
          for (const tenant of await this.relyingOnDefault(tx, def.key)) {
            await enter(tenant.id);
            await this.gate.pin(tx, tenant, def, change.before.default, {
              actor: SYSTEM_ACTOR,
              reason: `catalog changes the default of ${def.key} to ${JSON.stringify(def.default)} (version ${def.version}); tenant kept at its current value`,
            });
            pinned.push(tenant.slug);
          }
        }
        await tx.catalogDefault.update({
          where: { optionKey: def.key },
          data: { version: def.version, risk: def.risk, defaultValue: jsonInput(def.default) as never, appliedAt: new Date() },
        });
        await this.audit.record(tx, {
          actor: SYSTEM_ACTOR,
          action: 'registry.default_changed',
          tenantId: null,
          optionKey: def.key,
          before: change.before,
          after: { ...change.after, impact: change.impact, pinned },
          reason: pinned.length ? 'catalog default changed; tenants relying on it pinned to their current value' : 'catalog default changed',
        });
      }
      return changes.map(({ def: _def, pin: _pin, ...c }) => c);
    });
  }

  /** Tenants without their own value of `key`: their effective value is the default. */
  private relyingOnDefault(tx: PrismaTx, key: string): Promise<TenantRef[]> {
    return tx.tenant.findMany({
      where: { options: { none: { optionKey: key, isSet: true } } },
      select: { id: true, slug: true, name: true, riskLevel: true },
      orderBy: { slug: 'asc' },
    });
  }
}
