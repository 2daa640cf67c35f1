import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { accessibleBy } from '@casl/prisma/runtime';
import { AuditRecorder, type AuditAction } from '#audit';
import { sealContentHash, type ApprovalProof, type SignedAction } from '#audit-format';
import { CatalogHistory, RuleConflict, approvalRefused, optionView, sameRules } from '#change-control';
import { ApprovalSignatures, LineageReader } from '#identity';
import { jsonInput, type PrismaTx } from '#persistence';
import type { PolicyContext } from '#policy';
import { Registry } from '#registry';
import { pathTenant, actorOf, TenantScopeService, type TenantRef } from '#tenancy';
import { fingerprintOf, verifySealDocument, type SealDocument, type SealedState } from '#audit-format';
import { sealQuorum } from './seal-quorum.rule.js';
import { sealJudge } from './seal.judge.js';
import { SealSigner } from './seal-signer.js';
import type { SealRow, SealView } from './seal.view.js';

export const DEFAULT_SEAL_APPROVALS = 2;

type Purpose = 'activate' | 'lift' | 'break_glass';
/** A seal approval of the step at hand, with whether it is the client's own consent. */
type Counted = SealRow['approvals'][number] & { forClient: boolean };

/**
 * Election seals. A proposal becomes active after k distinct approvals (not the proposer's),
 * at least one from a client admin who acts for the client (`clientPeople`, the step rule in seal-step.rule.ts); activation fingerprints the effective
 * configuration and registry versions and signs the seal document. While active, the change
 * gate answers 423 for the tenant. Lifting needs the same k approvals, or two operators
 * breaking the glass with a reason.
 */
@Injectable()
export class Seals {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(Registry) private readonly registry: Registry,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(SealSigner) private readonly signer: SealSigner,
    @Inject(LineageReader) private readonly lineages: LineageReader,
    @Inject(CatalogHistory) private readonly history: CatalogHistory,
    @Inject(ApprovalSignatures) private readonly signatures: ApprovalSignatures,
  ) {}

  propose(ctx: PolicyContext, body: { label: string; requiredApprovals?: number }): Promise<SealView> {
    const tenant = pathTenant(ctx);
    return this.scopes.run({ tenantId: tenant.id }, async (tx) => {
      const id = randomUUID();
      const now = new Date();
      const k = body.requiredApprovals ?? DEFAULT_SEAL_APPROVALS;
      const me = actorOf(ctx);
      await tx.seal.create({
        data: {
          id,
          tenantId: tenant.id,
          label: body.label,
          requiredApprovals: k,
          status: 'proposed',
          proposedById: me.id,
          proposedBy: me.name,
          proposedByRole: me.role,
          proposedAt: now,
        },
      });
      await this.record(tx, ctx, 'seal.proposed', tenant, { id, label: body.label, requiredApprovals: k }, undefined, now);
      return this.reload(tx, ctx, id, tenant);
    });
  }

  async list(ctx: PolicyContext): Promise<SealView[]> {
    const tenant = pathTenant(ctx);
    return this.scopes.run({ tenantId: tenant.id }, async (tx) => {
      const rows = await tx.seal.findMany({
        where: { AND: [accessibleBy(ctx.ability, 'read').ofType('Seal'), { tenantId: tenant.id }] },
        include: { approvals: { orderBy: { approvedAt: 'asc' } } },
        orderBy: { proposedAt: 'desc' },
      });
      const judge = await sealJudge(tx, this.lineages, ctx, tenant.id, rows);
      return rows.map((r) => judge.view(r, tenant.slug));
    });
  }

  async get(ctx: PolicyContext, id: string): Promise<SealView> {
    const tenant = pathTenant(ctx);
    return this.scopes.run({ tenantId: tenant.id }, (tx) => this.reload(tx, ctx, id, tenant));
  }

  approve(ctx: PolicyContext, id: string, proof?: ApprovalProof): Promise<SealView> {
    return this.step(ctx, id, 'activate', undefined, proof, async (tx, row, tenant, approvals) => {
      if (!sealQuorum(row.requiredApprovals, approvals)) return;
      // Writers share-lock the tenant row in the change gate: activation waits for them, and they for it.
      await tx.$queryRaw`SELECT id FROM tenants WHERE id = ${tenant.id}::uuid FOR NO KEY UPDATE`;
      const active = await tx.seal.findFirst({ where: { tenantId: tenant.id, status: 'active' }, select: { id: true } });
      if (active) throw new RuleConflict(`tenant "${tenant.slug}" already has an active seal (${active.id})`, 'already_sealed');
      const now = new Date();
      const state = await this.stateOf(tx, tenant);
      const document = this.signer.sign({
        type: 'cloison.seal/v1',
        sealId: row.id,
        label: row.label,
        activatedAt: now.toISOString(),
        approvals: approvals.map((a) => ({
          principal: a.principalId,
          name: a.principalName,
          role: a.role,
          at: a.approvedAt.toISOString(),
        })),
        state,
        fingerprint: fingerprintOf(state),
      });
      await tx.seal.update({
        where: { id: row.id },
        data: { status: 'active', activatedAt: now, fingerprint: document.fingerprint, document: jsonInput(document) as never },
      });
      await this.record(
        tx,
        ctx,
        'seal.activated',
        tenant,
        { id: row.id, fingerprint: document.fingerprint, keyId: document.keyId },
        undefined,
        now,
      );
    });
  }

  lift(ctx: PolicyContext, id: string, reason: string, proof?: ApprovalProof): Promise<SealView> {
    return this.step(ctx, id, 'lift', reason, proof, async (tx, row, tenant, approvals) => {
      if (sealQuorum(row.requiredApprovals, approvals)) await this.lifted(tx, ctx, row, tenant, reason, false);
    });
  }

  breakGlass(ctx: PolicyContext, id: string, reason: string, proof?: ApprovalProof): Promise<SealView> {
    return this.step(ctx, id, 'break_glass', reason, proof, async (tx, row, tenant, approvals) => {
      const operators = new Set(approvals.filter((a) => a.role === 'operator').map((a) => a.principalId));
      if (operators.size >= 2) await this.lifted(tx, ctx, row, tenant, reason, true);
    });
  }

  /** Recomputes the fingerprint from the data as it is now and checks the signed document. */
  async verify(ctx: PolicyContext, id: string) {
    const tenant = pathTenant(ctx);
    return this.scopes.run({ tenantId: tenant.id }, async (tx) => {
      const seal = await this.reload(tx, ctx, id, tenant);
      const doc = seal.document as SealDocument | null;
      if (!doc) throw new RuleConflict(`seal "${id}" is not active yet: there is nothing to verify`, 'status', '/status');
      const current = fingerprintOf(await this.currentStateFor(tx, tenant, doc.state));
      const check = verifySealDocument(doc);
      const matches = current === doc.fingerprint && doc.fingerprint === seal.fingerprint;
      // Any key this installation published (the first one, or one reached by a signed rotation)
      // signed for this service: a seal made before a rotation stays this service's.
      const signedByThisService =
        doc.keyId === this.signer.keyId || (await tx.serviceKey.count({ where: { publicKey: doc.publicKey } })) > 0;
      return {
        sealId: id,
        status: seal.status,
        fingerprint: seal.fingerprint,
        currentFingerprint: current,
        matches,
        document: check,
        signedByThisService,
        valid: matches && check.valid && signedByThisService,
      };
    });
  }

  private async lifted(tx: PrismaTx, ctx: PolicyContext, row: SealRow, tenant: TenantRef, reason: string, breakGlass: boolean) {
    const now = new Date();
    await tx.seal.update({ where: { id: row.id }, data: { status: 'lifted', liftedAt: now, liftReason: reason, breakGlass } });
    await this.record(tx, ctx, 'seal.lifted', tenant, { id: row.id, breakGlass }, reason, now);
  }

  /** Records one approval of `purpose` on a locked seal in `status`, then lets `next` act on the tally. */
  private step(
    ctx: PolicyContext,
    id: string,
    purpose: Purpose,
    reason: string | undefined,
    proof: ApprovalProof | undefined,
    next: (tx: PrismaTx, row: SealRow, tenant: TenantRef, approvals: Counted[]) => Promise<void>,
  ): Promise<SealView> {
    const tenant = pathTenant(ctx);
    return this.scopes.run({ tenantId: tenant.id }, async (tx) => {
      const row = await this.lock(tx, id, tenant);
      const me = ctx.principal;
      const now = new Date();
      // Client consent counts people and approvals count lineages: judged as views show it (seal.judge.ts).
      const judge = await sealJudge(tx, this.lineages, ctx, tenant.id, [row]);
      const refusal = judge.bar(row, purpose, now);
      if (refusal) throw approvalRefused(refusal);
      const mine = judge.mine;
      const counted = judge.withStanding(row).approvals.filter((a) => a.purpose === purpose);
      // A signed seal approval covers the seal as proposed, the purpose and the reason (user verified).
      const signed: SignedAction = purpose === 'activate' ? 'seal.approve' : purpose === 'lift' ? 'seal.lift' : 'seal.break_glass';
      const contentHash = sealContentHash(row, purpose, reason ?? null);
      // A tenant that refuses unsigned consent to its critical changes refuses unsigned seal steps too.
      const settings = await tx.tenant.findUnique({ where: { id: tenant.id }, select: { signedApprovals: true } });
      const signature = await this.signatures.check(
        tx,
        { action: signed, tenant: tenant.id, subject: id, contentHash, approver: me.id },
        proof,
        { required: settings?.signedApprovals === true, userVerification: true },
        { actor: actorOf(ctx), requestId: ctx.requestId },
      );
      const approval = {
        sealId: id,
        tenantId: tenant.id,
        principalId: me.id,
        principalName: me.name,
        role: me.role,
        purpose,
        reason: reason ?? null,
        approvedAt: now,
      };
      await tx.sealApproval.create({ data: approval });
      const action: AuditAction =
        purpose === 'activate' ? 'seal.approved' : purpose === 'lift' ? 'seal.lift_approved' : 'seal.break_glass_approved';
      await this.record(tx, ctx, action, tenant, { id, ...(signature ? { signature } : {}) }, reason, now);
      await next(tx, row, tenant, [...counted, { ...approval, forClient: mine.forClient }]);
      return this.reload(tx, ctx, id, tenant);
    });
  }

  /**
   * The state as it is now, compared with a sealed one: a definition whose default alone moved
   * since the seal (schema and risk unchanged, per the recorded catalog history) still counts as
   * the sealed version. The tenant's effective value of it is compared separately, so a tenant
   * that followed the new default still shows as changed.
   */
  private async currentStateFor(tx: PrismaTx, tenant: TenantRef, sealed: SealedState): Promise<SealedState> {
    const state = await this.stateOf(tx, tenant);
    const history = await this.history.all(tx);
    for (const [key, version] of Object.entries(state.registry)) {
      const then = sealed.registry[key];
      if (then !== undefined && then !== version && sameRules(history.get(key) ?? [], then, version)) state.registry[key] = then;
    }
    return state;
  }

  private async stateOf(tx: PrismaTx, tenant: TenantRef): Promise<SealedState> {
    const rows = await tx.optionValue.findMany({ where: { tenantId: tenant.id } });
    const byKey = new Map(rows.map((r) => [r.optionKey, r]));
    const configuration: Record<string, unknown> = {};
    const registry: Record<string, number> = {};
    for (const def of this.registry.list()) {
      configuration[def.key] = optionView(def, byKey.get(def.key) ?? null).value;
      registry[def.key] = def.version;
    }
    return { tenant: { id: tenant.id, slug: tenant.slug }, configuration, registry };
  }

  private async lock(tx: PrismaTx, id: string, tenant: TenantRef): Promise<SealRow> {
    await tx.$queryRaw`SELECT id FROM seals WHERE id = ${id}::uuid FOR UPDATE`;
    const row = await tx.seal.findFirst({ where: { id, tenantId: tenant.id }, include: { approvals: { orderBy: { approvedAt: 'asc' } } } });
    if (!row) throw new NotFoundException(`seal "${id}" not found`);
    return row;
  }

  private async reload(tx: PrismaTx, ctx: PolicyContext, id: string, tenant: TenantRef): Promise<SealView> {
    const row = await tx.seal.findFirst({ where: { id, tenantId: tenant.id }, include: { approvals: { orderBy: { approvedAt: 'asc' } } } });
    if (!row) throw new NotFoundException(`seal "${id}" not found`);
    return (await sealJudge(tx, this.lineages, ctx, tenant.id, [row])).view(row, tenant.slug);
  }

  private record(
    tx: PrismaTx,
    ctx: PolicyContext,
    action: AuditAction,
    tenant: TenantRef,
    after: object,
    reason: string | undefined,
    at: Date,
  ) {
    return this.audit.record(tx, { actor: actorOf(ctx), action, tenantId: tenant.id, after, reason, requestId: ctx.requestId, at });
  }
}
