import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { subject } from '@casl/ability';
import { accessibleBy } from '@casl/prisma/runtime';
import { ChangeGate, optionView, type Change, type GateOutcome, type OptionView } from '#change-control';
import type { PolicyContext } from '#policy';
import { Registry, type JsonValue, type OptionDefinition } from '#registry';
import { pathTenant, actorOf, OptionRowsCache, TenantScopeService, type StoredOptionRow } from '#tenancy';
import { assertSameTenant } from '#change-control';
import type { ResetOptionBody, SetOptionBody } from './options.schemas.js';

export type { OptionView };

/** A stored row as `cloison_read_option` and `cloison_read_options` return it. */
type OptionRow = Readonly<Omit<StoredOptionRow, 'option_key'>>;

@Injectable()
export class OptionsService {
  /** The view of a row, built once: a cached row is shared by the requests it serves and never changes. */
  private readonly views = new WeakMap<OptionRow, OptionView>();

  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(OptionRowsCache) private readonly optionRows: OptionRowsCache,
    @Inject(Registry) private readonly registry: Registry,
    @Inject(ChangeGate) private readonly gate: ChangeGate,
  ) {}

  async list(ctx: PolicyContext): Promise<OptionView[]> {
    const tenant = pathTenant(ctx);
    const rows = await this.scopes.runRead({ tenantId: tenant.id }, (tx) =>
      tx.optionValue.findMany({ where: { AND: [accessibleBy(ctx.ability, 'read').ofType('OptionValue'), { tenantId: tenant.id }] } }),
    );
    const byKey = new Map(rows.map((r) => [r.optionKey, r]));
    return this.registry.list().map((def) => optionView(def, byKey.get(def.key) ?? null));
  }

  /**
   * From the tenant's cached rows when warm (no database work), else one statement: all the
   * tenant's rows, kept, while changes can be observed; the one row asked for otherwise (see
   * OptionRowsCache). Either way the policy judges the row served.
   */
  async get(ctx: PolicyContext, key: string): Promise<OptionView> {
    const def = this.definition(key);
    const tenant = pathTenant(ctx);
    const cached = this.optionRows.lookup(tenant.id);
    let row: OptionRow | undefined;
    if (cached) row = cached.rows[key];
    else if (this.optionRows.live) row = (await this.optionRows.load(tenant.id)).rows[key];
    else [row] = await this.scopes.readOne<OptionRow>(tenant.id, 'cloison_read_option', key);
    return this.judged(ctx, def, row);
  }

  /** As the accessibleBy filter of `list`: a row the caller may not read is not there for it. */
  private judged(ctx: PolicyContext, def: OptionDefinition, r: OptionRow | undefined): OptionView {
    const fields: Record<string, unknown> = { tenantId: r?.tenant_id, optionKey: def.key };
    const visible = r?.tenant_id != null && ctx.ability.can('read', subject('OptionValue', fields));
    if (!r || !visible) return optionView(def, null);
    let view = this.views.get(r);
    if (!view) {
      view = optionView(def, {
        isSet: r.is_set,
        value: r.value as JsonValue,
        version: r.version,
        updatedAt: r.updated_at,
        updatedById: r.updated_by_id,
        updatedBy: r.updated_by,
      });
      this.views.set(r, Object.freeze(view));
    }
    return view;
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
  private change(
    ctx: PolicyContext,
    key: string,
    change: Change,
    body: { reason: string; tenant?: string },
    ifMatch: number | '*' | undefined,
  ) {
    const tenant = pathTenant(ctx);
    assertSameTenant(tenant, body.tenant);
    const def = this.definition(key);
    const actor = actorOf(ctx);
    // What this instance keeps of the tenant's values is dropped by the gate's store once a write commits.
    return this.gate.submitOne(tenant, def, change, { actor, reason: body.reason, requestId: ctx.requestId }, { ifMatch });
  }
}
