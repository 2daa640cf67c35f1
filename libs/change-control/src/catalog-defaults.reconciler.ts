import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { AuditRecorder } from '#audit';
import { jsonInput, type PrismaTx } from '#persistence';
import { Registry, type JsonValue, type OptionDefinition } from '#registry';
import { SYSTEM_ACTOR, TenantScopeService, type TenantRef } from '#tenancy';
import { approvalRequirement } from './approval-policy.js';
import { CatalogHistory } from './catalog-history.js';
import { ChangeGate } from './change.gate.js';

/** What boot does when a default moves under tenants that may not follow it silently. */
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
  /** Of those, the tenants kept at their current value: sealed, or the change would need approval. */
  pinned: string[];
}

export class DefaultChangeRefused extends Error {
  constructor(readonly changes: DefaultChange[]) {
    super(
      'catalog changes defaults that sealed tenants, or tenants for whom the option needs approval, rely on (CLOISON_DEFAULT_CHANGES=refuse):\n' +
        changes
          .map(
            (c) =>
              `  ${c.option}: ${JSON.stringify(c.before?.default)} -> ${JSON.stringify(c.after.default)}; tenants: ${c.pinned.join(', ')}`,
          )
          .join('\n'),
    );
    this.name = 'DefaultChangeRefused';
  }
}

type Relying = TenantRef & { sealed: boolean };
type Plan = DefaultChange & { def: OptionDefinition; keep: Relying[]; follow: Relying[] };

/**
 * At boot, compares the catalog with the definitions the data was last reconciled with (tables
 * catalog_defaults and catalog_definition_history). Each changed default is one global
 * `registry.default_changed` event; every tenant relying on that default then gets an event in
 * its own chain: `option.pinned` (kept at its value) when it is sealed or the option needs an
 * approval for it, `option.default_applied` (before → after) otherwise. Refuse mode stops boot,
 * writing nothing, instead of pinning. All in one transaction.
 */
@Injectable()
export class CatalogDefaultsReconciler implements OnApplicationBootstrap {
  private readonly logger = new Logger('catalog');

  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(Registry) private readonly registry: Registry,
    @Inject(ChangeGate) private readonly gate: ChangeGate,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(CatalogHistory) private readonly history: CatalogHistory,
    @Inject(DEFAULT_CHANGE_POLICY) private readonly policy: DefaultChangePolicy,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const changes = await this.reconcile();
    for (const c of changes.filter((x) => x.before)) {
      this.logger.log(
        `default of ${c.option} changed ${JSON.stringify(c.before?.default)} -> ${JSON.stringify(c.after.default)}; tenants affected: ${c.impact.length}, pinned: ${c.pinned.length}`,
      );
    }
  }

  async reconcile(): Promise<DefaultChange[]> {
    return this.scopes.runMaintenance(async (tx, enter) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${RECONCILE_LOCK})`;
      const stored = new Map((await tx.catalogDefault.findMany()).map((r) => [r.optionKey, r]));
      const plans: Plan[] = [];
      for (const def of this.registry.list()) {
        const prev = stored.get(def.key);
        if (prev && isDeepStrictEqual(prev.defaultValue, def.default)) continue;
        const relying = prev ? await this.relyingOnDefault(tx, def.key) : [];
        // A tenant keeps its value when following the default would bypass what a direct change needs.
        const held = (t: Relying) =>
          t.sealed ||
          !!approvalRequirement(def, t.riskLevel) ||
          !!approvalRequirement({ risk: prev?.risk as OptionDefinition['risk'] }, t.riskLevel);
        const keep = relying.filter(held);
        plans.push({
          def,
          keep,
          follow: relying.filter((t) => !held(t)),
          option: def.key,
          risk: def.risk,
          before: prev ? { version: prev.version, default: prev.defaultValue as JsonValue } : null,
          after: { version: def.version, default: def.default },
          impact: relying.map((t) => t.slug),
          pinned: keep.map((t) => t.slug),
        });
      }
      const refused = plans.filter((p) => p.keep.length);
      if (this.policy === 'refuse' && refused.length) throw new DefaultChangeRefused(refused.map(publicView));

      const now = new Date();
      for (const def of this.registry.list()) {
        await this.history.record(tx, def, now);
        const prev = stored.get(def.key);
        if (!prev) {
          // A first record (new database or new option) changes no tenant's value: not audited.
          await tx.catalogDefault.create({
            data: {
              optionKey: def.key,
              version: def.version,
              risk: def.risk,
              defaultValue: jsonInput(def.default) as never,
              appliedAt: now,
            },
          });
        } else if (prev.version !== def.version || prev.risk !== def.risk || !isDeepStrictEqual(prev.defaultValue, def.default)) {
          await tx.catalogDefault.update({
            where: { optionKey: def.key },
            data: { version: def.version, risk: def.risk, defaultValue: jsonInput(def.default) as never, appliedAt: now },
          });
        }
      }
      for (const plan of plans) if (plan.before) await this.apply(tx, enter, plan, plan.before.default);
      return plans.map(publicView);
    });
  }

  /** The global event, then one event in the chain of every tenant relying on the default. */
  private async apply(tx: PrismaTx, enter: (tenantId: string) => Promise<void>, plan: Plan, previous: JsonValue): Promise<void> {
    const { def } = plan;
    const { seq } = await this.audit.record(tx, {
      actor: SYSTEM_ACTOR,
      action: 'registry.default_changed',
      tenantId: null,
      optionKey: def.key,
      before: plan.before,
      after: { ...plan.after, impact: plan.impact, pinned: plan.pinned },
      reason: plan.pinned.length
        ? 'catalog default changed; sealed tenants and tenants for whom the option needs approval pinned to their current value'
        : 'catalog default changed',
    });
    const registryChange = `catalog default of ${def.key} changed to ${JSON.stringify(def.default)} (definition version ${def.version}, registry event ${seq})`;
    for (const tenant of plan.keep) {
      await enter(tenant.id);
      await this.gate.pin(tx, tenant, def, previous, {
        actor: SYSTEM_ACTOR,
        reason: `${registryChange}; tenant kept at its current value (${tenant.sealed ? 'sealed' : 'the change would need approval'})`,
      });
    }
    for (const tenant of plan.follow) {
      await enter(tenant.id);
      await this.audit.record(tx, {
        actor: SYSTEM_ACTOR,
        action: 'option.default_applied',
        tenantId: tenant.id,
        optionKey: def.key,
        before: previous,
        after: def.default,
        reason: `${registryChange}; tenant follows the default`,
      });
    }
  }

  /** Tenants without their own value of `key` (their effective value is the default), and whether each is sealed. */
  private async relyingOnDefault(tx: PrismaTx, key: string): Promise<Relying[]> {
    const rows = await tx.tenant.findMany({
      where: { options: { none: { optionKey: key, isSet: true } } },
      select: { id: true, slug: true, name: true, riskLevel: true, seals: { where: { status: 'active' }, select: { id: true } } },
      orderBy: { slug: 'asc' },
    });
    return rows.map(({ seals, ...t }) => ({ ...t, sealed: seals.length > 0 }));
  }
}

function publicView({ def: _def, keep: _keep, follow: _follow, ...change }: Plan): DefaultChange {
  return change;
}
