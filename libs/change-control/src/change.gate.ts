import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { AuditAction } from '#audit';
import type { PrismaTx } from '#persistence';
import { Registry, type JsonValue, type OptionDefinition } from '#registry';
import { TenantScopeService, type Actor, type TenantRef } from '#tenancy';
import { approvalRequirement, type ApprovalRequirement } from './approval-policy.js';
import { InvalidValue, RuleConflict, RuleRefused, StaleVersion, TenantSealed } from './change-errors.js';
import { ChangeRequestStore, requestChange, type ChangeRequestRow, type ChangeRequestView } from './change-request.store.js';
import { assertMoreSecret, isNoop } from './change.rules.js';
import { OptionStore, VersionConflict, type WriteState } from './option-store.js';
import type { Change, OptionView } from './option-view.js';

export interface GateOrigin {
  actor: Actor;
  reason: string;
  requestId?: string;
  /** Audit action of a direct write (defaults to option.set / option.reset). */
  action?: AuditAction;
}

export interface GateOptions {
  /** Expected option version (If-Match); `*` or undefined accept any. */
  ifMatch?: number | '*';
  /** 'request' refuses a change that would apply directly (POST …/change-requests). */
  mode?: 'change' | 'request';
  /**
   * A break-glass change under this active seal: allowed only for secrecy options moving
   * towards more secrecy, and it needs a second operator.
   */
  breakGlassSealId?: string;
}

export type GateOutcome =
  | { kind: 'unchanged'; option: OptionView }
  | { kind: 'applied'; option: OptionView }
  | { kind: 'pending'; request: ChangeRequestView };

/**
 * The one door to option values. Every path that changes a tenant's value (single write, reset,
 * bulk, presets, approved requests) calls `submitOne`, `submit` or `applyApproved`; nothing else holds the
 * OptionStore. A change that needs approvals becomes a pending change request instead.
 */
@Injectable()
export class ChangeGate {
  constructor(
    @Inject(Registry) private readonly registry: Registry,
    @Inject(OptionStore) private readonly store: OptionStore,
    @Inject(ChangeRequestStore) private readonly requests: ChangeRequestStore,
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
  ) {}

  /**
   * One change of one option, in its own transaction. A change that applies directly is one
   * statement (see OptionStore.applyAlone), made against what this instance last saw stored of the
   * option; the statement checks it and, when it was wrong, answers what is stored, and the change
   * is decided again on that. Nothing is refused or answered as a no-op on a guess: the stored
   * state is read first. Anything that needs approvals or a seal's break-glass goes through
   * `submit` in a tenant transaction.
   */
  async submitOne(
    tenant: TenantRef,
    def: OptionDefinition,
    change: Change,
    origin: GateOrigin,
    opts: GateOptions = {},
  ): Promise<GateOutcome> {
    if (opts.breakGlassSealId || opts.mode === 'request' || approvalRequirement(def, tenant.riskLevel)) {
      return this.inTransaction(tenant, def, change, origin, opts);
    }
    this.check(def, change);
    const expected = typeof opts.ifMatch === 'number' ? opts.ifMatch : undefined;
    let state: WriteState = { riskLevel: tenant.riskLevel, sealId: null, option: this.store.known(tenant.id, def) };
    let stored = false;
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = state.option;
      const applies = state.riskLevel === tenant.riskLevel && !state.sealId && (expected === undefined || expected === before.version);
      if (!applies || isNoop(before, change)) {
        if (!stored) {
          const now = await this.store.peek(tenant.id, def);
          if (!now) throw new Error(`tenant ${tenant.id} is gone`);
          [state, stored] = [now, true];
          continue;
        }
        // The tenant may have been resolved from a cache: approvals follow its risk level as stored.
        if (state.riskLevel !== tenant.riskLevel)
          return this.inTransaction({ ...tenant, riskLevel: state.riskLevel }, def, change, origin, opts);
        if (state.sealId) throw new TenantSealed(tenant.slug, state.sealId);
        assertAtVersion(def, before, expected);
        return { kind: 'unchanged', option: before };
      }
      const result = await this.store.applyAlone(tenant.id, def, change, before, tenant.riskLevel, origin);
      if (result.outcome === 'applied') return { kind: 'applied', option: result.option };
      if (result.outcome === 'sealed') throw new TenantSealed(tenant.slug, result.sealId);
      if (result.outcome === 'no_tenant') throw new Error(`tenant ${tenant.id} is gone`);
      [state, stored] = [result.state, true];
    }
    // Other writers of the same option keep getting there first: queue behind them on the row lock.
    return this.inTransaction(tenant, def, change, origin, opts);
  }

  private inTransaction(tenant: TenantRef, def: OptionDefinition, change: Change, origin: GateOrigin, opts: GateOptions) {
    return this.scopes.run({ tenantId: tenant.id }, (tx) => this.submit(tx, tenant, def, change, origin, opts));
  }

  /** The option as it is now for `tenant` (row locked until the transaction ends). */
  current(tx: PrismaTx, tenant: TenantRef, def: OptionDefinition): Promise<OptionView> {
    return this.store.current(tx, tenant.id, def);
  }

  /** `tx` must be scoped to `tenant`. */
  async submit(
    tx: PrismaTx,
    tenant: TenantRef,
    def: OptionDefinition,
    change: Change,
    origin: GateOrigin,
    opts: GateOptions = {},
  ): Promise<GateOutcome> {
    this.check(def, change);
    if (opts.breakGlassSealId) return this.breakGlass(tx, tenant, def, change, origin, opts.breakGlassSealId);
    await this.assertNotSealed(tx, tenant.id, tenant.slug);
    const need = approvalRequirement(def, tenant.riskLevel);
    if (!need && opts.mode === 'request') {
      throw new RuleRefused(
        `option "${def.key}" needs no approval for tenant "${tenant.slug}": change it directly`,
        'approval_not_required',
        '/option',
      );
    }
    const expected = typeof opts.ifMatch === 'number' ? opts.ifMatch : undefined;
    // A first write racing another first write finds the winner's row on the next pass.
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = await this.store.current(tx, tenant.id, def);
      assertAtVersion(def, before, expected);
      if (isNoop(before, change)) return { kind: 'unchanged', option: before };
      if (need) return this.file(tx, tenant, def, change, origin, before, need);
      try {
        return { kind: 'applied', option: await this.store.write(tx, tenant.id, def, change, before.version, origin) };
      } catch (err) {
        if (!(err instanceof VersionConflict) || expected !== undefined) throw rethrown(err);
      }
    }
    throw new StaleVersion(`option "${def.key}" is being changed concurrently; read it again`);
  }

  /**
   * Keeps a tenant's effective value when the registry default it relied on moves: stores
   * `previousDefault` as the tenant's own value. The effective value does not change, which is
   * why no approval is asked; the write is refused if it would change it.
   */
  async pin(tx: PrismaTx, tenant: TenantRef, def: OptionDefinition, previousDefault: JsonValue, origin: GateOrigin): Promise<OptionView> {
    const asBefore: OptionDefinition = { ...def, default: previousDefault };
    const before = await this.store.current(tx, tenant.id, asBefore);
    if (before.source !== 'default') throw new Error(`option "${def.key}" of tenant ${tenant.slug} has its own value; nothing to pin`);
    // Sealed tenants are pinned too: the effective value a seal froze is the one kept.
    const { sealId } = await this.sealOf(tx, tenant.id);
    const pinned = { ...origin, action: 'option.pinned' as const };
    return this.store.write(tx, tenant.id, asBefore, { isSet: true, value: previousDefault }, before.version, pinned, sealId);
  }

  /**
   * Applies a request whose approvals are complete: the value is checked again against the
   * option's current schema and written only if the option is still at the version the
   * approvers saw.
   */
  async applyApproved(tx: PrismaTx, row: ChangeRequestRow, requestId?: string): Promise<OptionView> {
    const def = this.registry.find(row.optionKey);
    if (!def) throw new RuleRefused(`option "${row.optionKey}" is no longer in the registry`, 'unknown_option', '/option');
    const change = requestChange(row);
    this.check(def, change);
    const { sealId, slug } = await this.sealOf(tx, row.tenantId);
    if (sealId && sealId !== row.breakGlassSealId) throw new TenantSealed(slug, sealId);
    if (row.breakGlassSealId) assertMoreSecret(def, await this.store.current(tx, row.tenantId, def), change);
    const actor: Actor = { id: row.requestedById, name: row.requestedBy, role: row.requestedByRole as Actor['role'] };
    try {
      const origin = { actor, reason: `${row.reason} (change request ${row.id})`, requestId };
      return await this.store.write(tx, row.tenantId, def, change, row.baseVersion, origin, row.breakGlassSealId);
    } catch (err) {
      if (!(err instanceof VersionConflict)) throw err;
      throw new RuleConflict(
        `option "${def.key}" changed since the request was made (version ${err.current}, request made at ${row.baseVersion}); withdraw it and request again`,
        'base_version',
        '/baseVersion',
      );
    }
  }

  /**
   * An active election seal freezes the tenant's values (423). The tenant row is share-locked so
   * that a seal cannot become active between this check and the write.
   */
  private async assertNotSealed(tx: PrismaTx, tenantId: string, name: string): Promise<void> {
    const sealId = await this.activeSeal(tx, tenantId);
    if (sealId) throw new TenantSealed(name, sealId);
  }

  private async activeSeal(tx: PrismaTx, tenantId: string): Promise<string | null> {
    return (await this.sealOf(tx, tenantId)).sealId;
  }

  /** The tenant's active seal, if any, and its slug (what a 423 names the tenant by). */
  private async sealOf(tx: PrismaTx, tenantId: string): Promise<{ sealId: string | null; slug: string }> {
    return (await this.store.sealOf(tx, tenantId)) ?? { sealId: null, slug: tenantId };
  }

  /** Under an active seal: a change request towards more secrecy, approved by a second operator. */
  private async breakGlass(
    tx: PrismaTx,
    tenant: TenantRef,
    def: OptionDefinition,
    change: Change,
    origin: GateOrigin,
    sealId: string,
  ): Promise<GateOutcome> {
    const active = await this.activeSeal(tx, tenant.id);
    if (active !== sealId) {
      // Like every route about one seal: an id naming none of this tenant's seals is not found.
      const own = await tx.seal.findFirst({ where: { id: sealId, tenantId: tenant.id }, select: { id: true } });
      if (!own) throw new NotFoundException(`seal "${sealId}" not found`);
      throw new RuleConflict(`seal "${sealId}" is not the active seal of tenant "${tenant.slug}"`, 'seal_not_active', '/seal');
    }
    const before = await this.store.current(tx, tenant.id, def);
    assertMoreSecret(def, before, change);
    return this.file(tx, tenant, def, change, origin, before, { operator: true, clientAdmin: false }, sealId);
  }

  /** Files the change as a pending request made at `before`'s version. */
  private async file(
    tx: PrismaTx,
    tenant: TenantRef,
    def: OptionDefinition,
    change: Change,
    origin: GateOrigin,
    before: OptionView,
    need: ApprovalRequirement,
    breakGlassSealId?: string,
  ): Promise<GateOutcome> {
    const request = await this.requests.create(tx, {
      tenant,
      optionKey: def.key,
      change,
      reason: origin.reason,
      baseVersion: before.version,
      need,
      actor: origin.actor,
      requestId: origin.requestId,
      breakGlassSealId,
    });
    return { kind: 'pending', request };
  }

  /** The option's schema judges a new value (400 naming pointer and rule). */
  check(def: OptionDefinition, change: Change): void {
    if (!change.isSet) return;
    const issues = this.registry.validate(def.key, change.value);
    if (issues.length) throw new InvalidValue(def.key, issues);
  }
}

/** `If-Match` named a version the option is no longer (or not yet) at. */
function assertAtVersion(def: OptionDefinition, before: OptionView, expected: number | undefined): void {
  if (expected !== undefined && expected !== before.version) {
    throw new StaleVersion(`option "${def.key}" is at version ${before.version}, not ${expected}`);
  }
}

function rethrown(err: unknown): unknown {
  if (err instanceof VersionConflict) {
    return new StaleVersion(`option "${err.key}" changed meanwhile (now at version ${err.current}); read it again`);
  }
  return err;
}
