import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { accessibleBy } from '@casl/prisma/runtime';
import { LineageReader } from '#identity';
// The files, not the index: the identity index is what the policy guard reads, and these reach the guard.
import { PRINCIPAL_REQUEST_VIEW_SCHEMA, requestView, type PrincipalRequestView } from '#identity/principal-request.store';
import { PrincipalRequestsService } from '#identity/principal-requests.service';
import { CHANGE_REQUEST_VIEW_SCHEMA, approvalJudge, isExpired, optionView, type ChangeRequestView } from '#change-control';
import type { PolicyContext } from '#policy';
import { ANY_JSON, INTEGER, Registry, STRING, arrayOf, objectOf, oneOfStrings } from '#registry';
import { SEAL_VIEW_SCHEMA, sealJudge, type SealView } from '#seals';
import { TenantScopeService } from '#tenancy';

const TENANT_REF = objectOf({ slug: STRING, name: STRING });

export type InboxItem =
  | { kind: 'change_request'; tenant: { slug: string; name: string }; before: unknown; request: ChangeRequestView }
  | { kind: 'seal'; tenant: { slug: string; name: string }; purpose: 'activate' | 'lift'; seal: SealView }
  | { kind: 'principal_request'; tenant: { slug: string; name: string }; request: PrincipalRequestView };

export interface Inbox {
  count: number;
  items: InboxItem[];
}

/** The inbox takes no parameter: it is always the caller's own. */
export const INBOX_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;

export const INBOX_SCHEMA = objectOf({
  count: INTEGER,
  items: arrayOf({
    oneOf: [
      objectOf({ kind: oneOfStrings(['change_request']), tenant: TENANT_REF, before: ANY_JSON, request: CHANGE_REQUEST_VIEW_SCHEMA }),
      objectOf({ kind: oneOfStrings(['seal']), tenant: TENANT_REF, purpose: oneOfStrings(['activate', 'lift']), seal: SEAL_VIEW_SCHEMA }),
      objectOf({ kind: oneOfStrings(['principal_request']), tenant: TENANT_REF, request: PRINCIPAL_REQUEST_VIEW_SCHEMA }),
    ],
  }),
});

/**
 * What awaits the caller's decision, across the tenants the caller may read (an operator: every
 * tenant; a client admin: its own, the database's row-level security enforcing it): pending change
 * requests that owe the caller's role an approval it has not given, asked by someone else, seals
 * to activate or lift that the caller's approval would count for, and invitations or revocations of
 * a tenant's client admins the caller may decide (PrincipalRequestsService.refusalOf).
 * Approvals the lineage rule would refuse (the requester's own person, one already counted, someone
 * made after the request) are left out, as the approval route itself would refuse them.
 */
@Injectable()
export class InboxService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(Registry) private readonly registry: Registry,
    @Inject(LineageReader) private readonly lineages: LineageReader,
    @Inject(PrincipalRequestsService) private readonly people: PrincipalRequestsService,
  ) {}

  async of(ctx: PolicyContext): Promise<Inbox> {
    const me = ctx.principal;
    // Roles that approve nothing anywhere (reviewers, services) have no inbox.
    if (!ctx.ability.can('approve', 'ChangeRequest')) throw new ForbiddenException(`role ${me.role} may not approve ChangeRequest`);
    const side = me.role === 'operator' ? 'needsOperator' : me.role === 'client_admin' ? 'needsClient' : null;
    if (!side) return { count: 0, items: [] };
    const data = await this.scopes.run(this.scopes.readScopeOf(me), async (tx) => ({
      tenants: await tx.tenant.findMany({
        where: accessibleBy(ctx.ability, 'read').ofType('Tenant'),
        select: { id: true, slug: true, name: true },
      }),
      requests: await tx.changeRequest.findMany({
        where: {
          AND: [
            accessibleBy(ctx.ability, 'approve').ofType('ChangeRequest'),
            { status: 'pending', [side]: true, requestedById: { not: me.id } },
          ],
        },
        include: { approvals: { orderBy: { approvedAt: 'asc' } } },
        orderBy: { createdAt: 'asc' },
      }),
      people: await tx.principalRequest.findMany({
        where: { status: 'pending', tenantId: { not: null }, requestedById: { not: me.id } },
        orderBy: { createdAt: 'asc' },
      }),
      seals: await tx.seal.findMany({
        where: { AND: [accessibleBy(ctx.ability, 'approve').ofType('Seal'), { status: { in: ['proposed', 'active'] } }] },
        include: { approvals: { orderBy: { approvedAt: 'asc' } } },
        orderBy: { proposedAt: 'asc' },
      }),
    }));
    // Only what the approval routes would take: each tenant's requests and seals judged as those routes
    // judge them (approvalJudge, sealJudge), with the same facts (lineages, who acts for the client).
    const views = await this.scopes.run(this.scopes.readScopeOf(me), async (tx) => {
      const requests = new Map<string, ChangeRequestView>();
      const seals = new Map<string, SealView>();
      const people = new Set<string>();
      const readable = new Set(data.tenants.map((t) => t.id));
      for (const row of data.people) {
        if (readable.has(row.tenantId as string) && !(await this.people.refusalOf(tx, ctx, row))) people.add(row.id);
      }
      for (const tenant of data.tenants) {
        const rows = data.requests.filter((r) => r.tenantId === tenant.id && !isExpired(r));
        if (rows.length) {
          const judge = await approvalJudge(tx, this.lineages, ctx, tenant, rows);
          for (const row of rows) requests.set(row.id, judge.view(row));
        }
        const sealRows = data.seals.filter((x) => x.tenantId === tenant.id);
        if (sealRows.length) {
          const judge = await sealJudge(tx, this.lineages, ctx, tenant.id, sealRows);
          for (const row of sealRows) seals.set(row.id, judge.view(row, tenant.slug));
        }
      }
      return { requests, seals, people };
    });
    const tenants = new Map(data.tenants.map((t) => [t.id, t]));
    const items: InboxItem[] = [];

    const open = data.requests.filter((r) => !isExpired(r));
    const keys = [...new Set(open.map((r) => r.optionKey))];
    const values = open.length
      ? await this.scopes.run(this.scopes.readScopeOf(me), (tx) =>
          tx.optionValue.findMany({ where: { tenantId: { in: [...new Set(open.map((r) => r.tenantId))] }, optionKey: { in: keys } } }),
        )
      : [];
    for (const row of open) {
      const tenant = tenants.get(row.tenantId);
      const def = this.registry.find(row.optionKey);
      if (!tenant || !def) continue;
      const request = views.requests.get(row.id);
      if (!request?.yourApproval.allowed) continue;
      const current = values.find((v) => v.tenantId === row.tenantId && v.optionKey === row.optionKey) ?? null;
      items.push({
        kind: 'change_request',
        tenant: { slug: tenant.slug, name: tenant.name },
        before: optionView(def, current).value,
        request,
      });
    }

    for (const seal of data.seals) {
      const tenant = tenants.get(seal.tenantId);
      if (!tenant) continue;
      const purpose = seal.status === 'proposed' ? 'activate' : 'lift';
      const view = views.seals.get(seal.id);
      // An active seal awaits nobody until someone asks to lift it.
      if (!view || (purpose === 'lift' && !seal.approvals.some((a) => a.purpose === 'lift'))) continue;
      if (view.yourSteps.some((s) => s.purpose === purpose && s.allowed))
        items.push({ kind: 'seal', tenant: { slug: tenant.slug, name: tenant.name }, purpose, seal: view });
    }
    for (const row of data.people) {
      const tenant = tenants.get(row.tenantId as string);
      if (tenant && views.people.has(row.id))
        items.push({ kind: 'principal_request', tenant: { slug: tenant.slug, name: tenant.name }, request: requestView(row, tenant.slug) });
    }
    return { count: items.length, items };
  }
}
