import { Inject, Injectable } from '@nestjs/common';
import { accessibleBy } from '@casl/prisma/runtime';
import { optionView } from '#change-control';
import type { PolicyContext } from '#policy';
import {
  ANY_JSON,
  DATE_TIME,
  REF,
  Registry,
  STRING,
  arrayOf,
  isExposed,
  nullable,
  objectOf,
  oneOfStrings,
  type OptionDefinition,
} from '#registry';
import { TenantScopeService, type TenantScope } from '#tenancy';

export interface ExposureItem {
  tenant: string;
  option: string;
  risk: 'high' | 'critical';
  value: unknown;
  safe: unknown;
  source: 'default' | 'tenant';
  /** When the tenant's value last changed; its creation when it never had its own value. */
  since: string;
  requestedBy: { id: string; name: string } | null;
  changeRequest: string | null;
  approvedBy: { id: string; name: string; role: string }[];
  seal: { id: string; label: string } | null;
}

export interface ExposureReport {
  generatedAt: string;
  items: ExposureItem[];
}

export const EXPOSURE_REPORT_SCHEMA = objectOf({
  generatedAt: DATE_TIME,
  items: arrayOf(
    objectOf({
      tenant: STRING,
      option: STRING,
      risk: oneOfStrings(['high', 'critical']),
      value: ANY_JSON,
      safe: ANY_JSON,
      source: oneOfStrings(['default', 'tenant']),
      since: DATE_TIME,
      requestedBy: nullable(REF),
      changeRequest: nullable(STRING),
      approvedBy: arrayOf(objectOf({ id: STRING, name: STRING, role: STRING })),
      seal: nullable(objectOf({ id: STRING, label: STRING })),
    }),
  ),
});

const RANK = { critical: 0, high: 1 } as const;

/**
 * For every high and critical option, the tenants whose effective value is neither the safe one
 * nor the platform default: since when, who asked, who approved, under which seal. Read within the caller's visibility.
 */
@Injectable()
export class ExposureService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(Registry) private readonly registry: Registry,
  ) {}

  across(ctx: PolicyContext): Promise<ExposureReport> {
    return this.report(ctx, this.scopes.readScopeOf(ctx.principal), undefined);
  }

  forTenant(ctx: PolicyContext): Promise<ExposureReport> {
    if (!ctx.tenant) throw new Error('tenant report route without a resolved tenant');
    return this.report(ctx, { tenantId: ctx.tenant.id }, ctx.tenant.id);
  }

  private async report(ctx: PolicyContext, scope: TenantScope, tenantId: string | undefined): Promise<ExposureReport> {
    const defs = this.registry
      .list()
      .filter((d): d is OptionDefinition & { risk: 'high' | 'critical' } => d.risk === 'high' || d.risk === 'critical');
    const keys = defs.map((d) => d.key);
    const only = tenantId ? { tenantId } : {};
    const data = await this.scopes.run(scope, async (tx) => ({
      tenants: await tx.tenant.findMany({
        where: { AND: [accessibleBy(ctx.ability, 'read').ofType('Tenant'), tenantId ? { id: tenantId } : {}] },
        orderBy: { slug: 'asc' },
      }),
      rows: await tx.optionValue.findMany({ where: { ...only, optionKey: { in: keys } } }),
      applied: await tx.changeRequest.findMany({
        where: { ...only, optionKey: { in: keys }, status: 'applied' },
        include: { approvals: true },
        orderBy: { decidedAt: 'desc' },
      }),
      seals: await tx.seal.findMany({ where: { ...only, status: 'active' }, select: { id: true, label: true, tenantId: true } }),
    }));
    const items: ExposureItem[] = [];
    for (const tenant of data.tenants) {
      const seal = data.seals.find((s) => s.tenantId === tenant.id);
      for (const def of defs) {
        const row = data.rows.find((r) => r.tenantId === tenant.id && r.optionKey === def.key) ?? null;
        const view = optionView(def, row);
        // Exposure is a departure from both the safe value and the platform default: a default
        // that is not the safest choice (e.g. schedule_change) would otherwise list every tenant.
        if (!isExposed(def, view.value)) continue;
        // The request that produced the current value, if it came through approvals.
        const request = row
          ? data.applied.find(
              (r) => r.tenantId === tenant.id && r.optionKey === def.key && r.decidedAt && r.decidedAt.getTime() >= row.updatedAt.getTime(),
            )
          : undefined;
        items.push({
          tenant: tenant.slug,
          option: def.key,
          risk: def.risk,
          value: view.value,
          safe: def.safe ?? null,
          source: view.source,
          since: (row?.updatedAt ?? tenant.createdAt).toISOString(),
          requestedBy: request ? { id: request.requestedById, name: request.requestedBy } : view.updatedBy,
          changeRequest: request?.id ?? null,
          approvedBy: (request?.approvals ?? [])
            .filter((a) => a.contentHash === request?.contentHash)
            .map((a) => ({ id: a.principalId, name: a.principalName, role: a.role })),
          seal: seal ? { id: seal.id, label: seal.label } : null,
        });
      }
    }
    items.sort((a, b) => RANK[a.risk] - RANK[b.risk] || a.option.localeCompare(b.option) || a.tenant.localeCompare(b.tenant));
    return { generatedAt: new Date().toISOString(), items };
  }
}
