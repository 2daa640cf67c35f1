import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { accessibleBy } from '@casl/prisma/runtime';
import { AuditRecorder } from '#audit';
import { CHANGE_REQUEST_VIEW_SCHEMA, ChangeGate, RuleConflict, RuleRefused, type ChangeRequestView } from '#change-control';
import type { PrismaTx, Tenant } from '#persistence';
import type { PolicyContext } from '#policy';
import { DATE_TIME, INTEGER, Registry, STRING, UUID, arrayOf, objectOf, type PresetDefinition } from '#registry';
import { TenantScopeService } from './tenant-scope.service.js';
import { type TenantRef } from './request-context.js';
import type { CreateTenantBody } from './tenants.schemas.js';
import { SEAL_STEPS_SIGNED } from './seal-steps.record.js';
import { isUniqueViolation } from '#http';
import { CLOISON_CONFIG, type CloisonConfig } from '#config';

export interface TenantView {
  id: string;
  slug: string;
  name: string;
  riskLevel: number;
  createdAt: string;
}

export interface PresetOutcome {
  name: string;
  version: number;
  /** Options written now (one `preset.applied` audit event each). */
  applied: string[];
  /** Options the preset names at the value they already have. */
  unchanged: string[];
  /** Options that need approvals first: the change gate made them pending change requests. */
  pending: { option: string; request: ChangeRequestView }[];
}

const TENANT_PROPERTIES = { id: UUID, slug: STRING, name: STRING, riskLevel: INTEGER, createdAt: DATE_TIME };
export const TENANT_VIEW_SCHEMA = objectOf(TENANT_PROPERTIES);

/** `POST /v1/tenants`: the tenant, with what its preset did when one was named. */
export const CREATED_TENANT_SCHEMA = objectOf(
  {
    ...TENANT_PROPERTIES,
    preset: objectOf({
      name: STRING,
      version: INTEGER,
      applied: arrayOf(STRING),
      unchanged: arrayOf(STRING),
      pending: arrayOf(objectOf({ option: STRING, request: CHANGE_REQUEST_VIEW_SCHEMA })),
    }),
  },
  ['preset'],
);

const toView = (t: Tenant): TenantView => ({
  id: t.id,
  slug: t.slug,
  name: t.name,
  riskLevel: t.riskLevel,
  createdAt: t.createdAt.toISOString(),
});

@Injectable()
export class TenantsService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(Registry) private readonly registry: Registry,
    @Inject(ChangeGate) private readonly gate: ChangeGate,
    @Inject(CLOISON_CONFIG) private readonly config: CloisonConfig,
  ) {}

  /**
   * A new tenant starts with nothing of its own (every option at its registry default), or
   * from a named catalog preset applied through the change gate in the same transaction.
   */
  async create(ctx: PolicyContext, body: CreateTenantBody): Promise<TenantView & { preset?: PresetOutcome }> {
    const id = randomUUID();
    const preset = body.preset === undefined ? undefined : this.presetOf(body.preset, body.presetVersion);
    try {
      return await this.scopes.run({ tenantId: id }, async (tx) => {
        const signedApprovals = body.riskLevel >= this.config.signedApprovalsFromRisk;
        const tenant = await tx.tenant.create({
          data: { id, slug: body.slug, name: body.name, riskLevel: body.riskLevel, signedApprovals },
        });
        await this.audit.record(tx, {
          actor: ctx.principal,
          action: 'tenant.created',
          tenantId: id,
          after: {
            slug: tenant.slug,
            name: tenant.name,
            riskLevel: tenant.riskLevel,
            // Offline verification reads the setting here; absent means off.
            // Seal steps included: offline verification fails an unsigned one from this event on.
            ...(signedApprovals ? { signedApprovals: true, ...SEAL_STEPS_SIGNED } : {}),
            ...(preset ? { preset: { name: preset.name, version: preset.version } } : {}),
          },
          requestId: ctx.requestId,
          at: tenant.createdAt,
        });
        if (!preset) return toView(tenant);
        const ref = { id, slug: tenant.slug, name: tenant.name, riskLevel: tenant.riskLevel };
        return { ...toView(tenant), preset: await this.applyPreset(tx, ctx, ref, preset) };
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        const message = `a tenant with slug "${body.slug}" already exists`;
        throw new ConflictException({
          message,
          details: [{ pointer: '/slug', rule: 'unique', message: 'must not be the slug of another tenant' }],
        });
      }
      throw err;
    }
  }

  private presetOf(name: string, version: number | undefined): PresetDefinition {
    const preset = this.registry.preset(name);
    if (!preset) throw new RuleRefused(`unknown preset "${name}"`, 'exists', '/preset');
    if (version !== undefined && version !== preset.version) {
      throw new RuleConflict(`preset "${name}" is at version ${preset.version}, not ${version}`, 'preset_version', '/presetVersion');
    }
    return preset;
  }

  private async applyPreset(tx: PrismaTx, ctx: PolicyContext, tenant: TenantRef, preset: PresetDefinition): Promise<PresetOutcome> {
    const out: PresetOutcome = { name: preset.name, version: preset.version, applied: [], unchanged: [], pending: [] };
    const origin = {
      actor: { id: ctx.principal.id, name: ctx.principal.name, role: ctx.principal.role },
      reason: `preset ${preset.name} v${preset.version}`,
      requestId: ctx.requestId,
      action: 'preset.applied' as const,
    };
    for (const key of Object.keys(preset.options).sort()) {
      const def = this.registry.get(key);
      const result = await this.gate.submit(tx, tenant, def, { isSet: true, value: preset.options[key] ?? null }, origin);
      if (result.kind === 'pending') out.pending.push({ option: key, request: result.request });
      else out[result.kind].push(key);
    }
    return out;
  }

  async list(ctx: PolicyContext): Promise<TenantView[]> {
    const tenants = await this.scopes.runRead(this.scopes.readScopeOf(ctx.principal), (tx) =>
      tx.tenant.findMany({ where: accessibleBy(ctx.ability, 'read').ofType('Tenant'), orderBy: { slug: 'asc' } }),
    );
    return tenants.map(toView);
  }

  async get(ctx: PolicyContext): Promise<TenantView> {
    const ref = ctx.tenant;
    if (!ref) throw new Error('tenant route without a resolved tenant');
    const tenant = await this.scopes.runRead({ tenantId: ref.id }, (tx) =>
      tx.tenant.findFirst({ where: { AND: [accessibleBy(ctx.ability, 'read').ofType('Tenant'), { id: ref.id }] } }),
    );
    // Found by the guard on the primary but not (yet) on a lagging replica.
    if (!tenant) throw new NotFoundException(`tenant "${ref.slug}" not found`);
    return toView(tenant);
  }
}
