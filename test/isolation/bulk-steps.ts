import { isDeepStrictEqual } from 'node:util';
// The plan's shape only: what each tenant's entry should say is worked out by the model.
import type { PlannedTenant as Planned } from '#change-control/bulk-changes.service';
import { call, expectStatus, fail, scan, type Reply } from './http.js';
import {
  applyChange,
  effectiveValue,
  gate,
  isNoop,
  isSealed,
  needOf,
  optionState,
  type Model,
  type TenantState,
  type World,
} from './model.js';
import { resolveActor, resolveTenant, showActor, showTenant, type ActorPick, type TenantPick } from './picks.js';
import { expectFiled } from './request-steps.js';
import { Step } from './step.js';
import { VALUE_CASES, type ValueCase } from './values.js';

/** 'dry-run' only; 'apply' echoes the dry run's hash; 'stale' echoes a hash of no dry run. */
export type BulkMode = 'dry-run' | 'apply' | 'stale';

/**
 * POST /v1/bulk-changes over tenants named one by one: the dry run shows each named tenant and
 * only those; applying passes each through the change gate. Critical options never go in bulk.
 */
export class BulkChange extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly tenants: TenantPick[],
    readonly valueIndex: number,
    readonly reset: boolean,
    readonly mode: BulkMode,
  ) {
    super();
  }
  private valueCase(): ValueCase {
    return VALUE_CASES[this.valueIndex % VALUE_CASES.length] as ValueCase;
  }
  toString() {
    const vc = this.valueCase();
    const what = this.reset ? `reset ${vc.key}` : `${vc.key} = ${vc.label}${vc.valid ? '' : ' (invalid)'}`;
    return `bulk ${this.mode} ${what} on [${this.tenants.map(showTenant).join(', ')}] as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const vc = this.valueCase();
    const named = this.tenants.map((p) => resolveTenant(m, p, actor));
    const slugs = named.map((x) => decodeURIComponent(x.segment));
    // One value for every named tenant: it carries no tenant's marker (this one names none).
    const value = vc.make({ marker: 'm000000000000' });
    const change = this.reset ? { isSet: false } : { isSet: true, value };
    const body = {
      option: vc.key,
      operation: this.reset ? 'reset' : 'set',
      ...(this.reset ? {} : { value }),
      tenants: slugs,
      reason: 'harmonise the offices',
    };
    const dry = await call(w, actor, 'post', '/v1/bulk-changes', { ...body, dryRun: true });
    scan(w, dry, actor);
    const status =
      gate('bulk_changes.run', actor) ??
      this.refusal(
        w,
        vc,
        named.map((x) => x.state),
        slugs,
      );
    expectStatus(dry, status);
    const tenants = named.map((x) => x.state as TenantState);
    if (status === 200) expectPlan(w, dry, tenants, vc.key, change);
    if (this.mode === 'dry-run' || status !== 200) return;

    const planHash = this.mode === 'apply' ? dry.body.planHash : 'f'.repeat(64);
    const r = await call(w, actor, 'post', '/v1/bulk-changes', { ...body, planHash });
    scan(w, r, actor);
    if (this.mode === 'stale') return expectStatus(r, 409);
    // One sealed tenant refuses the whole change: it runs in one transaction.
    if (tenants.some(isSealed)) return expectStatus(r, 423);
    expectStatus(r, 200);
    const results = r.body.results as { tenant: string; outcome: string }[];
    if (
      results
        .map((x) => x.tenant)
        .sort()
        .join() !== slugs.slice().sort().join()
    )
      fail('bulk results name other tenants than the request', r);
    for (const t of tenants) {
      const res = results.find((x) => x.tenant === t.slug) as { outcome: string; request?: { id: string } };
      const outcome = isNoop(w, t, vc.key, change) ? 'unchanged' : needOf(w, vc.key, t.riskLevel) ? 'pending' : 'applied';
      if (res.outcome !== outcome) fail(`bulk outcome for ${t.slug} is ${res.outcome}, the model ${outcome}`, r);
      if (outcome === 'applied') applyChange(w, t, vc.key, change);
      if (outcome === 'pending') expectFiled(w, { ...r, body: res.request }, t, actor);
    }
  }

  /** Refusals before any tenant is read: the list, the option, the value, then each name in order. */
  private refusal(w: World, vc: ValueCase, states: (TenantState | null)[], slugs: string[]): number {
    if (new Set(slugs).size !== slugs.length || this.tenants.some((p) => p.kind === 'malformed')) return 400;
    if (w.risks.get(vc.key) === 'critical') return 400;
    if (!this.reset && !vc.valid) return 400;
    if (states.some((s) => s === null)) return 404;
    return 200;
  }
}

/** The dry run names exactly the tenants asked for, each as the model knows it. */
function expectPlan(w: World, r: Reply, tenants: TenantState[], key: string, change: { isSet: boolean; value?: unknown }): void {
  const plan = r.body.tenants as Planned[];
  const want: Planned[] = tenants
    .map((t) => ({
      tenant: t.slug,
      version: optionState(t, key).version,
      before: effectiveValue(w, t, key),
      after: change.isSet ? change.value : w.defaults.get(key),
      changes: !isNoop(w, t, key, change),
      needsApproval: needOf(w, key, t.riskLevel) !== null,
    }))
    .sort((a, b) => (a.tenant < b.tenant ? -1 : 1));
  if (!isDeepStrictEqual(plan, want)) fail(`dry run differs from the model: ${JSON.stringify(want)}`, r);
}
