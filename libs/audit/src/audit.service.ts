import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { accessibleBy } from '@casl/prisma/runtime';
import { AUDIT_CONTENT_PROPERTIES, type AuditContent } from '#audit-format';
import { INTEGER, STRING, arrayOf, nullable, objectOf } from '#registry';
import type { AuditEvent, Prisma } from '#persistence';
import type { PolicyContext } from '#policy';
import { TenantDirectory, TenantScopeService, type TenantScope } from '#tenancy';
import { instantOf, type AuditQuery } from './audit.schemas.js';
import { toChained } from './audit-chain.reader.js';

/** An event as the list routes show it: its hashed content, with the tenant's slug for its id. */
export interface AuditEventView extends Omit<AuditContent, 'tenantId'> {
  seq: number;
  tenant: string | null;
  tenantSeq: number | null;
}

export interface AuditPage {
  items: AuditEventView[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export const AUDIT_PAGE_SCHEMA = objectOf({
  items: arrayOf(objectOf({ ...AUDIT_CONTENT_PROPERTIES, seq: INTEGER, tenant: nullable(STRING), tenantSeq: nullable(INTEGER) })),
  nextCursor: nullable(STRING),
});

/** The change log, newest first, read within the caller's visibility. */
@Injectable()
export class AuditService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
  ) {}

  /** `GET /v1/tenants/:tenant/audit`: one tenant's events. */
  forTenant(ctx: PolicyContext, q: AuditQuery): Promise<AuditPage> {
    if (!ctx.tenant) throw new Error('tenant audit route without a resolved tenant');
    return this.page(ctx, { tenantId: ctx.tenant.id }, { tenantId: ctx.tenant.id }, q);
  }

  /** `GET /v1/audit`: every tenant the caller may read, optionally filtered to one. */
  async across(ctx: PolicyContext, q: AuditQuery): Promise<AuditPage> {
    if (q.tenant === undefined) return this.page(ctx, this.scopes.readScopeOf(ctx.principal), {}, q);
    const tenant = await this.tenants.resolve(ctx.principal, q.tenant);
    if (!tenant) {
      throw new NotFoundException({
        message: `tenant "${q.tenant}" not found`,
        details: [{ pointer: '/tenant', rule: 'exists', message: 'no such tenant' }],
      });
    }
    return this.page(ctx, { tenantId: tenant.id }, { tenantId: tenant.id }, q);
  }

  private async page(ctx: PolicyContext, scope: TenantScope, where: Prisma.AuditEventWhereInput, q: AuditQuery): Promise<AuditPage> {
    const filter: Prisma.AuditEventWhereInput = {
      AND: [
        accessibleBy(ctx.ability, 'read').ofType('AuditEvent'),
        where,
        q.option !== undefined ? { optionKey: q.option } : {},
        q.actor !== undefined ? { actorId: q.actor } : {},
        q.action !== undefined ? { action: q.action } : {},
        q.q !== undefined ? textFilter(q.q) : {},
        q.from !== undefined || q.to !== undefined
          ? { occurredAt: { ...(q.from ? { gte: instantOf('from', q.from) } : {}), ...(q.to ? { lt: instantOf('to', q.to) } : {}) } }
          : {},
        // Listed once linked into the global chain (its order), which the change awaited before answering.
        q.cursor !== undefined ? { seq: { lt: BigInt(q.cursor) } } : { seq: { not: null } },
      ],
    };
    const { events, slugs } = await this.scopes.runRead(scope, async (tx) => {
      const events = await tx.auditEvent.findMany({ where: filter, orderBy: { seq: 'desc' }, take: q.limit + 1 });
      const ids = [...new Set(events.map((e) => e.tenantId).filter((id): id is string => id !== null))];
      const tenants = ids.length ? await tx.tenant.findMany({ where: { id: { in: ids } }, select: { id: true, slug: true } }) : [];
      return { events, slugs: new Map(tenants.map((t) => [t.id, t.slug])) };
    });
    const more = events.length > q.limit;
    const items = events.slice(0, q.limit).map((e) => toView(e, slugs));
    return { items, nextCursor: more ? String(items[items.length - 1]?.seq) : null };
  }
}

/** Events whose reason, person's name, option key or action contain `text` (any case). */
function textFilter(text: string): Prisma.AuditEventWhereInput {
  const contains = { contains: text, mode: 'insensitive' as const };
  return { OR: [{ reason: contains }, { actorName: contains }, { optionKey: contains }, { action: contains }] };
}

function toView(e: AuditEvent, slugs: Map<string, string>): AuditEventView {
  // The chain fields stay for verification and exports; the view names the tenant by its slug.
  const { tenantId, contentHash, hash, tenantHash, ...fields } = toChained(e);
  return { ...fields, seq: Number(e.seq), tenant: tenantId ? (slugs.get(tenantId) ?? tenantId) : null };
}
