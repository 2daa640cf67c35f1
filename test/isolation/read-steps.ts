import { isDeepStrictEqual } from 'node:util';
import { call, expectStatus, fail, scan, type Reply } from './http.js';
import { effectiveValue, gate, type Model, type TenantState, type World } from './model.js';
import { resolveActor, resolveTenant, showActor, showTenant, type ActorPick, type TenantPick } from './picks.js';
import { Step } from './step.js';

/** Catalog presets named in the catalog/presets folder; 'nope' names none. */
export const PRESET_NAMES = ['association-level-1', 'union-level-2', 'congress-level-3', 'nope'] as const;

/** GET /v1/presets and /v1/presets/:name: catalog data, for every valid token. */
export class Presets extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly name: string | null,
  ) {
    super();
  }
  toString() {
    return `GET /v1/presets${this.name ? `/${this.name}` : ''} as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const r = await call(w, actor, 'get', `/v1/presets${this.name ? `/${this.name}` : ''}`);
    scan(w, r, actor);
    const denied = gate(this.name ? 'presets.get' : 'presets.list', actor);
    expectStatus(r, denied ?? (this.name === 'nope' ? 404 : 200));
    if (r.status !== 200) return;
    const names = (this.name ? [r.body] : (r.body as unknown[])).map((p) => (p as { name: string }).name).sort();
    const want = this.name ? [this.name] : PRESET_NAMES.filter((x) => x !== 'nope').sort();
    if (!isDeepStrictEqual(names, want)) fail(`presets ${names.join()} differ from the catalog's ${want.join()}`, r);
  }
}

/** GET /v1/me: the caller as the token names it, nobody else. */
export class Me extends Step {
  constructor(readonly actor: ActorPick) {
    super();
  }
  toString() {
    return `GET /v1/me as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const r = await call(w, actor, 'get', '/v1/me');
    scan(w, r, actor);
    expectStatus(r, gate('me', actor) ?? 200);
    if (r.status !== 200) return;
    const b = r.body as { id: string; role: string; tenant: string | null };
    if (b.id !== actor.principalId || b.role !== actor.role || b.tenant !== (actor.tenant?.slug ?? null))
      fail(`/v1/me does not describe ${actor.label}`, r);
  }
}

interface ExposureItem {
  tenant: string;
  option: string;
  value: unknown;
  safe: unknown;
}

/**
 * GET /v1/reports/exposure (tenant = null) or …/tenants/:tenant/reports/exposure: options whose
 * effective value is neither the safe one nor the default. A tenant's report speaks of that tenant only, and for the
 * options the model writes, each item holds the model's effective value.
 */
export class Exposure extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly tenant: TenantPick | null,
  ) {
    super();
  }
  toString() {
    return `GET ${this.tenant ? `/v1/tenants/${showTenant(this.tenant)}` : '/v1'}/reports/exposure as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const target = this.tenant ? resolveTenant(m, this.tenant, actor) : undefined;
    const r = await call(w, actor, 'get', target ? `/v1/tenants/${target.segment}/reports/exposure` : '/v1/reports/exposure');
    scan(w, r, actor, target?.state);
    expectStatus(r, gate(target ? 'reports.tenant_exposure' : 'reports.exposure', actor, target) ?? 200);
    if (r.status !== 200) return;
    const items = r.body.items as ExposureItem[];
    if (target?.state && items.some((x) => x.tenant !== target.state?.slug))
      fail(`the report of ${target.state.slug} names another tenant`, r);
    // The whole report covers every tenant ever created; the run's tenants are the ones to compare.
    for (const t of target?.state ? [target.state] : m.tenants)
      expectExposure(
        w,
        r,
        t,
        items.filter((x) => x.tenant === t.slug),
      );
  }
}

function expectExposure(w: World, r: Reply, t: TenantState, items: ExposureItem[]): void {
  for (const x of items) {
    if (w.defaults.has(x.option) && !isDeepStrictEqual(x.value, effectiveValue(w, t, x.option))) {
      fail(
        `exposure of ${t.slug} shows ${x.option} = ${JSON.stringify(x.value)}, the model ${JSON.stringify(effectiveValue(w, t, x.option))}`,
        r,
      );
    }
    if (isDeepStrictEqual(x.value, x.safe)) fail(`exposure of ${t.slug} lists ${x.option} at its safe value`, r);
  }
}
