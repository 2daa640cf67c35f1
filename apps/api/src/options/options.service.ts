import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { accessibleBy } from '@casl/prisma/runtime';
import { AuditRecorder } from '../../../../libs/audit/src/index.js';
import { SnapshotCache } from '../../../../libs/evaluation/src/index.js';
import type { OptionValue, PrismaTx } from '../../../../libs/persistence/src/index.js';
import type { PolicyContext } from '../../../../libs/policy/src/index.js';
import { Registry, type JsonValue, type OptionDefinition } from '../../../../libs/registry/src/index.js';
import { TenantScopeService, type TenantRef } from '../../../../libs/tenancy/src/index.js';
import { PreconditionFailed, ValidationFailed } from '../common/api-errors.js';
import type { ResetOptionBody, SetOptionBody } from './options.schemas.js';

export interface OptionView {
  key: string;
  value: unknown;
  source: 'default' | 'tenant';
  version: number;
  risk: OptionDefinition['risk'];
  updatedAt: string | null;
  updatedBy: { id: string; name: string } | null;
}

type StoredRow = Pick<OptionValue, 'isSet' | 'value' | 'version' | 'updatedAt' | 'updatedById' | 'updatedBy'>;

/** Effective value: the tenant's own stored value, else the registry default. Nothing else. */
function view(def: OptionDefinition, row: StoredRow | null): OptionView {
  const own = row?.isSet === true;
  return {
    key: def.key,
    value: own ? row.value : def.default,
    source: own ? 'tenant' : 'default',
    version: row?.version ?? 0,
    risk: def.risk,
    updatedAt: row ? row.updatedAt.toISOString() : null,
    updatedBy: row ? { id: row.updatedById, name: row.updatedBy } : null,
  };
}

function tenantOf(ctx: PolicyContext): TenantRef {
  if (!ctx.tenant) throw new Error('option routes are tenant-scoped');
  return ctx.tenant;
}

type Change = { isSet: true; value: unknown } | { isSet: false };

@Injectable()
export class OptionsService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(Registry) private readonly registry: Registry,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(SnapshotCache) private readonly snapshots: SnapshotCache,
  ) {}

  async list(ctx: PolicyContext): Promise<OptionView[]> {
    const tenant = tenantOf(ctx);
    const rows = await this.scopes.runRead({ tenantId: tenant.id }, (tx) =>
      tx.optionValue.findMany({ where: { AND: [accessibleBy(ctx.ability, 'read').ofType('OptionValue'), { tenantId: tenant.id }] } }),
    );
    const byKey = new Map(rows.map((r) => [r.optionKey, r]));
    return this.registry.list().map((def) => view(def, byKey.get(def.key) ?? null));
  }

  async get(ctx: PolicyContext, key: string): Promise<OptionView> {
    const def = this.definition(key);
    const tenant = tenantOf(ctx);
    const row = await this.scopes.runRead({ tenantId: tenant.id }, (tx) =>
      tx.optionValue.findFirst({
        where: { AND: [accessibleBy(ctx.ability, 'read').ofType('OptionValue'), { tenantId: tenant.id, optionKey: key }] },
      }),
    );
    return view(def, row);
  }

  set(ctx: PolicyContext, key: string, body: SetOptionBody, ifMatch: number | '*' | undefined): Promise<OptionView> {
    const def = this.definition(key);
    const issues = this.registry.validate(key, body.value);
    if (issues.length) throw new ValidationFailed(`value does not satisfy the schema of option "${key}"`, issues);
    return this.change(ctx, def, { isSet: true, value: body.value }, body.reason, ifMatch);
  }

  reset(ctx: PolicyContext, key: string, body: ResetOptionBody, ifMatch: number | '*' | undefined): Promise<OptionView> {
    return this.change(ctx, this.definition(key), { isSet: false }, body.reason, ifMatch);
  }

  private definition(key: string): OptionDefinition {
    const def = this.registry.find(key);
    if (!def) throw new NotFoundException(`unknown option "${key}"`);
    return def;
  }

  /**
   * The one write path for option values: lock the row, check the expected version, skip
   * no-ops, write, and record the audit event in the same transaction.
   */
  private async change(ctx: PolicyContext, def: OptionDefinition, next: Change, reason: string, ifMatch: number | '*' | undefined) {
    const tenant = tenantOf(ctx);
    const actor = { id: ctx.principal.id, name: ctx.principal.name, role: ctx.principal.role };
    const result = await this.scopes.run({ tenantId: tenant.id }, async (tx) => {
      // A first write racing another first write finds the winner's row on the next pass.
      for (let attempt = 0; attempt < 3; attempt++) {
        const current = await this.lockRow(tx, tenant.id, def.key);
        const before = view(def, current);
        if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== before.version) {
          throw new PreconditionFailed(`option "${def.key}" is at version ${before.version}, not ${ifMatch}`);
        }
        const value = next.isSet ? next.value : def.default;
        const unchanged = next.isSet ? isDeepStrictEqual(before.value, value) : before.source === 'default';
        if (unchanged) return before;

        const row: StoredRow = {
          isSet: next.isSet,
          value: value as JsonValue,
          version: before.version + 1,
          updatedAt: new Date(),
          updatedById: actor.id,
          updatedBy: actor.name,
        };
        if (!(await this.writeRow(tx, tenant.id, def.key, row))) continue;
        await this.audit.record(tx, {
          actor,
          action: next.isSet ? 'option.set' : 'option.reset',
          tenantId: tenant.id,
          optionKey: def.key,
          before: before.value,
          after: value,
          reason,
          requestId: ctx.requestId,
          at: row.updatedAt,
        });
        return view(def, row);
      }
      throw new PreconditionFailed(`option "${def.key}" is being changed concurrently; read it again`);
    });
    // Other instances learn of the change from the database; this one need not wait for it.
    this.snapshots.invalidateTenant(tenant.id);
    return result;
  }

  private async lockRow(tx: PrismaTx, tenantId: string, key: string): Promise<StoredRow | null> {
    const rows = await tx.$queryRaw<
      { is_set: boolean; value: JsonValue; version: number; updated_at: Date; updated_by_id: string; updated_by: string }[]
    >`SELECT is_set, value, version, updated_at, updated_by_id, updated_by FROM option_values
       WHERE tenant_id = ${tenantId}::uuid AND option_key = ${key} FOR UPDATE`;
    const r = rows[0];
    return r
      ? { isSet: r.is_set, value: r.value, version: r.version, updatedAt: r.updated_at, updatedById: r.updated_by_id, updatedBy: r.updated_by }
      : null;
  }

  /** Writes `row` if the stored version is still the one before it; false if another writer got there first. */
  private async writeRow(tx: PrismaTx, tenantId: string, key: string, row: StoredRow): Promise<boolean> {
    const value = JSON.stringify(row.value);
    const written = await tx.$executeRaw`
      INSERT INTO option_values (tenant_id, option_key, is_set, value, version, updated_at, updated_by_id, updated_by)
      VALUES (${tenantId}::uuid, ${key}, ${row.isSet}, ${value}::jsonb, ${row.version}, ${row.updatedAt}, ${row.updatedById}, ${row.updatedBy})
      ON CONFLICT (tenant_id, option_key) DO UPDATE
        SET is_set = EXCLUDED.is_set, value = EXCLUDED.value, version = EXCLUDED.version,
            updated_at = EXCLUDED.updated_at, updated_by_id = EXCLUDED.updated_by_id, updated_by = EXCLUDED.updated_by
        WHERE option_values.version = EXCLUDED.version - 1`;
    return written === 1;
  }
}
