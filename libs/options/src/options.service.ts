import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { subject } from '@casl/ability';
import { accessibleBy } from '@casl/prisma/runtime';
import { ChangeGate, optionView, type Change, type GateOutcome, type OptionView } from '#change-control';
import { SnapshotCache } from '#evaluation';
import type { PolicyContext } from '#policy';
import { Registry, type JsonValue, type OptionDefinition } from '#registry';
import { pathTenant, actorOf, TenantScopeService, type ScopedRow } from '#tenancy';
import { assertSameTenant } from '#change-control';
import type { ResetOptionBody, SetOptionBody } from './options.schemas.js';

export type { OptionView };

interface OptionRow extends ScopedRow {
  tenant_id: string | null;
  is_set: boolean;
  value: JsonValue;
  version: number;
  updated_at: Date;
  updated_by_id: string;
  updated_by: string;
}

@Injectable()
export class OptionsService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(Registry) private readonly registry: Registry,
    @Inject(ChangeGate) private readonly gate: ChangeGate,
    @Inject(SnapshotCache) private readonly snapshots: SnapshotCache,
  ) {}

  async list(ctx: PolicyContext): Promise<OptionView[]> {
    const tenant = pathTenant(ctx);
    const rows = await this.scopes.runRead({ tenantId: tenant.id }, (tx) =>
      tx.optionValue.findMany({ where: { AND: [accessibleBy(ctx.ability, 'read').ofType('OptionValue'), { tenantId: tenant.id }] } }),
    );
    const byKey = new Map(rows.map((r) => [r.optionKey, r]));
    return this.registry.list().map((def) => optionView(def, byKey.get(def.key) ?? null));
  }

  /** One statement (see TenantScopeService.readOne); the policy judges the row it returns. */
  async get(ctx: PolicyContext, key: string): Promise<OptionView> {
    const def = this.definition(key);
    const tenant = pathTenant(ctx);
    const [r] = await this.scopes.readOne<OptionRow>(tenant.id, 'cloison_read_option', key);
    // As the accessibleBy filter of `list`: a row the caller may not read is not there for it.
    const fields: Record<string, unknown> = { tenantId: r?.tenant_id, optionKey: key };
    const visible = r?.tenant_id != null && ctx.ability.can('read', subject('OptionValue', fields));
    if (!r || !visible) return optionView(def, null);
    return optionView(def, { isSet: r.is_set, value: r.value, version: r.version, updatedAt: r.updated_at, updatedById: r.updated_by_id, updatedBy: r.updated_by });
  }

  set(ctx: PolicyContext, key: string, body: SetOptionBody, ifMatch: number | '*' | undefined): Promise<GateOutcome> {
    return this.change(ctx, key, { isSet: true, value: body.value as JsonValue }, body, ifMatch);
  }

  reset(ctx: PolicyContext, key: string, body: ResetOptionBody, ifMatch: number | '*' | undefined): Promise<GateOutcome> {
    return this.change(ctx, key, { isSet: false }, body, ifMatch);
  }

  private definition(key: string): OptionDefinition {
    const def = this.registry.find(key);
    if (!def) throw new NotFoundException(`unknown option "${key}"`);
    return def;
  }

  /** Applies directly, or answers with a pending change request, as the gate decides. */
  private async change(ctx: PolicyContext, key: string, change: Change, body: { reason: string; tenant?: string }, ifMatch: number | '*' | undefined) {
    const tenant = pathTenant(ctx);
    assertSameTenant(tenant, body.tenant);
    const def = this.definition(key);
    const actor = actorOf(ctx);
    const outcome = await this.gate.submitOne(tenant, def, change, { actor, reason: body.reason, requestId: ctx.requestId }, { ifMatch });
    // Other instances learn of the change from the database; this one need not wait for it.
    if (outcome.kind === 'applied') this.snapshots.invalidateTenant(tenant.id);
    return outcome;
  }
}
