import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { accessibleBy } from '@casl/prisma/runtime';
import { LineageReader, clientPeople } from '#identity';
import {
  CHANGE_REQUEST_VIEW_SCHEMA,
  changeRequestView,
  clientAdminNotForClient,
  countedApprovals,
  isExpired,
  optionView,
  unneededApproval,
  type ChangeRequestView,
} from '#change-control';
import type { PolicyContext } from '#policy';
import { ANY_JSON, INTEGER, Registry, STRING, arrayOf, objectOf, oneOfStrings } from '#registry';
import { SEAL_VIEW_SCHEMA, toSealView, unneededSealApproval, type SealView } from '#seals';
import { TenantScopeService } from '#tenancy';

const TENANT_REF = objectOf({ slug: STRING, name: STRING });

export type InboxItem =
  | { kind: 'change_request'; tenant: { slug: string; name: string }; before: unknown; request: ChangeRequestView }
  | { kind: 'seal'; tenant: { slug: string; name: string }; purpose: 'activate' | 'lift'; seal: SealView };

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
    ],
  }),
});

/**
 * What awaits the caller's decision, across the tenants the caller may read (an operator: every
 * tenant; a client admin: its own, the database's row-level security enforcing it): pending change
 * requests that owe the caller's role an approval it has not given, asked by someone else, and
 * seals to activate or lift that the caller's approval would count for.
 * Approvals the lineage rule would refuse (the requester's own person, one already counted, someone
 * made after the request) are left out, as the approval route itself would refuse them.
 */
@Injectable()
export class InboxService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(Registry) private readonly registry: Registry,
    @Inject(LineageReader) private readonly lineages: LineageReader,
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
      seals: await tx.seal.findMany({
        where: { AND: [accessibleBy(ctx.ability, 'approve').ofType('Seal'), { status: { in: ['proposed', 'active'] } }] },
        include: { approvals: { orderBy: { approvedAt: 'asc' } } },
        orderBy: { proposedAt: 'asc' },
      }),
    }));
    // Only what the caller's approval would count for: the lineage rule (one person, one approval),
    // judged as the approval itself will be.
    const lineages = await this.scopes.run(this.scopes.readScopeOf(me), (tx) =>
      this.lineages.lineages(tx, [
        me.id,
        ...data.requests.flatMap((r) => [r.requestedById, ...r.approvals.map((a) => a.principalId)]),
        ...data.seals.flatMap((s) => [s.proposedById, ...s.approvals.map((a) => a.principalId)]),
      ]),
    );
    // Client consent counts people: which approvers (the caller included) act for the client, per tenant.
    const client = await this.scopes.run(this.scopes.readScopeOf(me), async (tx) => {
      const ids = new Map<string, string[]>();
      for (const x of [...data.requests, ...data.seals])
        ids.set(x.tenantId, [...(ids.get(x.tenantId) ?? []), ...x.approvals.map((a) => a.principalId)]);
      const found = new Set<string>();
      for (const [tenantId, some] of ids)
        for (const id of await clientPeople(tx, tenantId, [me.id, ...some])) found.add(`${tenantId}/${id}`);
      return found;
    });
    const forClient = (tenantId: string, principalId: string) => client.has(`${tenantId}/${principalId}`);
    const counts = (requesterId: string | null, countedIds: string[], filedAt: Date) =>
      this.lineages.refusal(lineages, { approverId: me.id, requesterId, countedIds, filedAt }) === null;
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
      const given = row.approvals.map((a) => ({ ...a, forClient: forClient(row.tenantId, a.principalId) }));
      const counted = countedApprovals(given, row.requestedById, row.contentHash);
      const mine = { role: me.role, forClient: forClient(row.tenantId, me.id) };
      const need = { operator: row.needsOperator, clientAdmin: row.needsClient };
      // The approval route would refuse it: given already, deciding nothing, or not the client's consent.
      if (counted.some((a) => a.principalId === me.id) || unneededApproval(need, counted, mine) || clientAdminNotForClient(mine)) continue;
      if (
        !counts(
          row.requestedById,
          counted.map((a) => a.principalId),
          row.createdAt,
        )
      )
        continue;
      const current = values.find((v) => v.tenantId === row.tenantId && v.optionKey === row.optionKey) ?? null;
      items.push({
        kind: 'change_request',
        tenant: { slug: tenant.slug, name: tenant.name },
        before: optionView(def, current).value,
        request: changeRequestView(row, tenant.slug),
      });
    }

    for (const seal of data.seals) {
      const tenant = tenants.get(seal.tenantId);
      if (!tenant) continue;
      const purpose = seal.status === 'proposed' ? 'activate' : 'lift';
      const counted = seal.approvals
        .filter((a) => a.purpose === purpose)
        .map((a) => ({ ...a, forClient: forClient(seal.tenantId, a.principalId) }));
      // An active seal awaits nobody until someone asks to lift it.
      if (purpose === 'lift' && !counted.length) continue;
      if (counted.some((a) => a.principalId === me.id) || (purpose === 'activate' && seal.proposedById === me.id)) continue;
      const mine = { role: me.role, forClient: forClient(seal.tenantId, me.id) };
      if (unneededSealApproval(seal.requiredApprovals, counted, mine) || clientAdminNotForClient(mine)) continue;
      const filedAt = purpose === 'activate' ? seal.proposedAt : (counted[0]?.approvedAt ?? new Date());
      if (
        !counts(
          purpose === 'activate' ? seal.proposedById : null,
          counted.map((a) => a.principalId),
          filedAt,
        )
      )
        continue;
      items.push({ kind: 'seal', tenant: { slug: tenant.slug, name: tenant.name }, purpose, seal: toSealView(seal, tenant.slug) });
    }
    return { count: items.length, items };
  }
}
