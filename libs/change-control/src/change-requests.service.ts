import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { accessibleBy } from '@casl/prisma/runtime';
import { AuditRecorder } from '#audit';
import { type ApprovalProof } from '#audit-format';
import { ApprovalSignatures, LineageReader } from '#identity';
import { jsonInput, type PrismaTx } from '#persistence';
import type { PolicyContext } from '#policy';
import { Registry, type JsonValue, type OptionDefinition } from '#registry';
import { pathTenant, actorOf, SYSTEM_ACTOR, TenantScopeService, type Actor, type TenantRef } from '#tenancy';
import { isSatisfied } from './approval-policy.js';
import { OWN_REQUEST } from './approval-standing.js';
import { approvalJudge, approvalRefused } from './change-request.views.js';
import { ChangeGate } from './change.gate.js';
import { RuleConflict } from './change-errors.js';
import {
  ChangeRequestStore,
  isExpired,
  type ChangeRequestRow,
  type ChangeRequestView,
  type RequestStatus,
} from './change-request.store.js';
import { contentHashOf } from './content-hash.js';
import type { Change } from './option-view.js';

export interface NewChangeRequest {
  option: string;
  operation: 'set' | 'reset';
  value?: unknown;
  reason: string;
}

export interface RequestEdit {
  value?: unknown;
  reason: string;
}

type Outcome<T> = { ok: T } | { expired: string };

/** The life of a change request: created by the gate, approved, rejected, withdrawn or expired. */
@Injectable()
export class ChangeRequests {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(Registry) private readonly registry: Registry,
    @Inject(ChangeGate) private readonly gate: ChangeGate,
    @Inject(ChangeRequestStore) private readonly store: ChangeRequestStore,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(LineageReader) private readonly lineages: LineageReader,
    @Inject(ApprovalSignatures) private readonly signatures: ApprovalSignatures,
  ) {}

  async create(ctx: PolicyContext, body: NewChangeRequest): Promise<ChangeRequestView> {
    const tenant = pathTenant(ctx);
    const def = this.definition(body.option);
    const change: Change = body.operation === 'set' ? { isSet: true, value: body.value as JsonValue } : { isSet: false };
    const outcome = await this.scopes.run({ tenantId: tenant.id }, (tx) =>
      this.gate.submit(
        tx,
        tenant,
        def,
        change,
        { actor: actorOf(ctx), reason: body.reason, requestId: ctx.requestId },
        { mode: 'request' },
      ),
    );
    if (outcome.kind !== 'pending') {
      throw new RuleConflict(`option "${def.key}" already has this value for tenant "${tenant.slug}"`, 'no_change', '/value');
    }
    return outcome.request;
  }

  /**
   * Break-glass under an active seal: a change request towards more secrecy only, which a
   * second operator's approval applies while the seal stays.
   */
  async createBreakGlass(
    ctx: PolicyContext,
    sealId: string,
    body: { option: string; value: unknown; reason: string },
  ): Promise<ChangeRequestView> {
    const tenant = pathTenant(ctx);
    const def = this.definition(body.option);
    const outcome = await this.scopes.run({ tenantId: tenant.id }, (tx) =>
      this.gate.submit(
        tx,
        tenant,
        def,
        { isSet: true, value: body.value as JsonValue },
        { actor: actorOf(ctx), reason: body.reason, requestId: ctx.requestId },
        { breakGlassSealId: sealId },
      ),
    );
    if (outcome.kind !== 'pending') throw new Error('a break-glass change always waits for a second operator');
    return outcome.request;
  }

  async list(ctx: PolicyContext, status?: RequestStatus): Promise<ChangeRequestView[]> {
    const tenant = pathTenant(ctx);
    const views = await this.scopes.run({ tenantId: tenant.id }, async (tx) => {
      const rows = await tx.changeRequest.findMany({
        where: { AND: [accessibleBy(ctx.ability, 'read').ofType('ChangeRequest'), { tenantId: tenant.id }] },
        include: { approvals: { orderBy: { approvedAt: 'asc' } } },
        orderBy: { createdAt: 'desc' },
      });
      return rows.map((await approvalJudge(tx, this.lineages, ctx, tenant, rows)).view);
    });
    return status ? views.filter((v) => v.status === status) : views;
  }

  async get(ctx: PolicyContext, id: string): Promise<ChangeRequestView> {
    const tenant = pathTenant(ctx);
    return this.scopes.run({ tenantId: tenant.id }, async (tx) => {
      const row = await tx.changeRequest.findFirst({
        where: { AND: [accessibleBy(ctx.ability, 'read').ofType('ChangeRequest'), { tenantId: tenant.id, id }] },
        include: { approvals: { orderBy: { approvedAt: 'asc' } } },
      });
      if (!row) throw new NotFoundException(`change request "${id}" not found`);
      return (await approvalJudge(tx, this.lineages, ctx, tenant, [row])).view(row);
    });
  }

  /** Only the requester edits; the new content gets a new hash, so earlier approvals stop counting. */
  edit(ctx: PolicyContext, id: string, body: RequestEdit): Promise<ChangeRequestView> {
    return this.pending(ctx, id, async (tx, row, tenant) => {
      if (row.requestedById !== ctx.principal.id) throw new ForbiddenException('only the requester may edit a change request');
      if (row.operation === 'reset' && body.value !== undefined) {
        throw new RuleConflict('a reset request carries no value', 'operation', '/value');
      }
      const value = row.operation === 'set' ? (body.value === undefined ? row.value : body.value) : null;
      const def = this.definition(row.optionKey);
      const change: Change = row.operation === 'set' ? { isSet: true, value: value as JsonValue } : { isSet: false };
      this.gate.check(def, change);
      const contentHash = contentHashOf({ ...row, operation: row.operation as 'set' | 'reset', value, reason: body.reason });
      const now = new Date();
      await tx.changeRequest.update({
        where: { id },
        data: {
          value: row.operation === 'set' ? jsonInput(value) : undefined,
          reason: body.reason,
          contentHash,
          revision: row.revision + 1,
          updatedAt: now,
        },
      });
      await this.audit.record(tx, {
        actor: actorOf(ctx),
        action: 'change_request.edited',
        tenantId: tenant.id,
        optionKey: row.optionKey,
        before: { id, revision: row.revision, contentHash: row.contentHash, value: row.value },
        after: { id, revision: row.revision + 1, contentHash, value },
        reason: body.reason,
        requestId: ctx.requestId,
        at: now,
      });
      return this.reload(tx, ctx, id, tenant);
    });
  }

  /**
   * Records an approval for the content the approver saw (`contentHash`); the last approval
   * needed applies the change in the same transaction. A signature, when given (or required by
   * the tenant for a critical option), must cover this request, its content and this approver.
   */
  async approve(ctx: PolicyContext, id: string, contentHash: string, proof?: ApprovalProof): Promise<ChangeRequestView> {
    return this.pending(ctx, id, async (tx, row, tenant) => {
      const me = ctx.principal;
      if (row.requestedById === me.id) throw approvalRefused(OWN_REQUEST);
      if (contentHash !== row.contentHash) {
        throw new RuleConflict('the change request was edited since you read it; review it again', 'content_hash', '/contentHash');
      }
      // Client consent counts people and approvals count lineages: judged as views show it (change-request.views.ts).
      const judge = await approvalJudge(tx, this.lineages, ctx, tenant, [row]);
      const refusal = judge.bar(row);
      if (refusal) throw approvalRefused(refusal);
      const need = { operator: row.needsOperator, clientAdmin: row.needsClient };
      const given = row.approvals.map((a) => ({ ...a, forClient: judge.standingOf({ id: a.principalId, role: a.role }).forClient }));
      const mine = { role: me.role, forClient: judge.mine.forClient };
      const critical = this.registry.find(row.optionKey)?.risk === 'critical';
      const settings = await tx.tenant.findUnique({ where: { id: tenant.id }, select: { signedApprovals: true } });
      const signature = await this.signatures.check(
        tx,
        { action: 'change_request.approve', tenant: tenant.id, subject: id, contentHash: row.contentHash, approver: me.id },
        proof,
        { required: critical && settings?.signedApprovals === true, userVerification: critical },
        { actor: actorOf(ctx), requestId: ctx.requestId },
      );
      const now = new Date();
      await tx.changeRequestApproval.create({
        data: {
          requestId: id,
          tenantId: tenant.id,
          principalId: me.id,
          principalName: me.name,
          role: me.role,
          contentHash,
          approvedAt: now,
        },
      });
      await this.audit.record(tx, {
        actor: actorOf(ctx),
        action: 'change_request.approved',
        tenantId: tenant.id,
        optionKey: row.optionKey,
        after: { id, contentHash, revision: row.revision, ...(signature ? { signature } : {}) },
        requestId: ctx.requestId,
        at: now,
      });
      const approvals = [...given, { principalId: me.id, contentHash, ...mine }];
      if (isSatisfied(need, approvals, row.requestedById, row.contentHash)) {
        const option = await this.gate.applyApproved(tx, row, ctx.requestId);
        const breakGlass = row.breakGlassSealId ? { breakGlassSeal: row.breakGlassSealId } : {};
        await this.decide(tx, row, 'applied', actorOf(ctx), null, ctx.requestId, {
          id,
          option: option.key,
          version: option.version,
          ...breakGlass,
        });
      }
      return this.reload(tx, ctx, id, tenant);
    });
  }

  reject(ctx: PolicyContext, id: string, reason: string): Promise<ChangeRequestView> {
    return this.pending(ctx, id, async (tx, row, tenant) => {
      await this.decide(tx, row, 'rejected', actorOf(ctx), reason, ctx.requestId, { id });
      return this.reload(tx, ctx, id, tenant);
    });
  }

  withdraw(ctx: PolicyContext, id: string, reason: string): Promise<ChangeRequestView> {
    return this.pending(ctx, id, async (tx, row, tenant) => {
      if (row.requestedById !== ctx.principal.id) throw new ForbiddenException('only the requester may withdraw a change request');
      await this.decide(tx, row, 'withdrawn', actorOf(ctx), reason, ctx.requestId, { id });
      return this.reload(tx, ctx, id, tenant);
    });
  }

  private definition(key: string): OptionDefinition {
    const def = this.registry.find(key);
    if (!def)
      throw new NotFoundException({
        message: `unknown option "${key}"`,
        details: [{ pointer: '/option', rule: 'exists', message: 'no such option' }],
      });
    return def;
  }

  /**
   * Runs `fn` on a locked, visible, pending request. An expired one is marked so (and audited)
   * in its own transaction, then the call answers 409.
   */
  private async pending<T>(
    ctx: PolicyContext,
    id: string,
    fn: (tx: PrismaTx, row: ChangeRequestRow, tenant: TenantRef) => Promise<T>,
  ): Promise<T> {
    const tenant = pathTenant(ctx);
    const result: Outcome<T> = await this.scopes.run({ tenantId: tenant.id }, async (tx) => {
      const row = await this.store.lock(tx, id);
      if (!row || row.tenantId !== tenant.id) throw new NotFoundException(`change request "${id}" not found`);
      if (isExpired(row)) {
        await this.decide(tx, row, 'expired', SYSTEM_ACTOR, 'no decision before expiry', ctx.requestId, {
          id,
          expiresAt: row.expiresAt.toISOString(),
        });
        return { expired: id };
      }
      if (row.status !== 'pending') {
        throw new RuleConflict(`change request "${id}" is ${row.status}, no longer pending`, 'status', '/status');
      }
      return { ok: await fn(tx, row, tenant) };
    });
    if ('expired' in result) throw new RuleConflict(`change request "${id}" has expired`, 'expired', '/expiresAt');
    return result.ok;
  }

  private async decide(
    tx: PrismaTx,
    row: ChangeRequestRow,
    status: RequestStatus,
    actor: Actor,
    reason: string | null,
    requestId: string | undefined,
    after: object,
  ) {
    const now = new Date();
    await tx.changeRequest.update({
      where: { id: row.id },
      data: { status, decidedAt: now, decidedById: actor.id, decidedBy: actor.name, decisionReason: reason, updatedAt: now },
    });
    await this.audit.record(tx, {
      actor,
      action: `change_request.${status}` as `change_request.${Exclude<RequestStatus, 'pending'>}`,
      tenantId: row.tenantId,
      optionKey: row.optionKey,
      after,
      reason: reason ?? undefined,
      requestId,
      at: now,
    });
  }

  private async reload(tx: PrismaTx, ctx: PolicyContext, id: string, tenant: TenantRef): Promise<ChangeRequestView> {
    const row = await this.store.lock(tx, id);
    if (!row) throw new Error('change request vanished');
    return (await approvalJudge(tx, this.lineages, ctx, tenant, [row])).view(row);
  }
}
