import { randomBytes } from 'node:crypto';
import { call, expectStatus, fail, scan } from './http.js';
import { gate, knowTenant, type ActorState, type Model, type Role, type TenantState, type World } from './model.js';
import { resolveActor, resolveTenant, showActor, showTenant, type ActorPick, type TenantPick } from './picks.js';
import { Step } from './step.js';

export const hex = (n: number) => randomBytes(n).toString('hex');

/** A new tenant's identity: random, so no slug or marker is a substring of another. */
export function newTenantIdentity(): { slug: string; marker: string; name: string } {
  const marker = `m${hex(6)}`;
  return { slug: `t${hex(5)}`, marker, name: `Org ${marker}` };
}

export function tenantState(
  view: { id: string; slug: string; name: string; riskLevel: number },
  marker: string,
  initialEvents: number,
): TenantState {
  return {
    ...view,
    marker,
    options: new Map(),
    initialEvents,
    events: [],
    past: new Map(),
    changedAt: 0,
    requests: [],
    seals: [],
    hasAdmin: false,
  };
}

export class ListTenants extends Step {
  constructor(readonly actor: ActorPick) {
    super();
  }
  toString() {
    return `GET /v1/tenants as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const r = await call(w, actor, 'get', '/v1/tenants');
    scan(w, r, actor);
    expectStatus(r, gate('tenants.list', actor) ?? 200);
    if (r.status !== 200) return;
    const got = (r.body as { slug: string }[]).map((x) => x.slug).sort();
    const want = w.tenants.map((x) => x.slug).sort();
    if (got.join() !== want.join()) fail(`tenant list has ${got.length} tenants, the model ${want.length}`, r);
  }
}

export class GetTenant extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly tenant: TenantPick,
  ) {
    super();
  }
  toString() {
    return `GET /v1/tenants/${showTenant(this.tenant)} as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const target = resolveTenant(m, this.tenant, actor);
    const r = await call(w, actor, 'get', `/v1/tenants/${target.segment}`);
    scan(w, r, actor, target.state);
    const status = gate('tenants.get', actor, target) ?? 200;
    expectStatus(r, status);
    if (status === 404 && r.body.message !== `tenant "${decodeURIComponent(target.segment)}" not found`) {
      fail('a foreign tenant must answer exactly like a missing one', r);
    }
    const t = target.state;
    if (
      status === 200 &&
      t &&
      (r.body.id !== t.id || r.body.slug !== t.slug || r.body.name !== t.name || r.body.riskLevel !== t.riskLevel)
    ) {
      fail('tenant view differs from the model', r);
    }
  }
}

export type TenantBodyKind = 'valid' | 'duplicate' | 'bad-slug' | 'risk-4' | 'risk-string' | 'no-name' | 'extra-field';

export class CreateTenant extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly body: TenantBodyKind,
  ) {
    super();
  }
  toString() {
    return `POST /v1/tenants (${this.body}) as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const id = newTenantIdentity();
    const body: Record<string, unknown> = { slug: id.slug, name: id.name, riskLevel: 2 };
    if (this.body === 'duplicate') body.slug = m.tenants[m.counter % m.tenants.length]?.slug;
    if (this.body === 'bad-slug') body.slug = `../${id.slug}`;
    if (this.body === 'risk-4') body.riskLevel = 4;
    if (this.body === 'risk-string') body.riskLevel = '2';
    if (this.body === 'no-name') delete body.name;
    if (this.body === 'extra-field') body.id = m.tenants[0]?.id;
    m.counter++;
    const r = await call(w, actor, 'post', '/v1/tenants', body);
    scan(w, r, actor);
    const denied = gate('tenants.create', actor);
    const status = denied ?? (this.body === 'valid' ? 201 : this.body === 'duplicate' ? 409 : 400);
    expectStatus(r, status);
    if (status !== 201) return;
    if (r.body.slug !== id.slug || typeof r.body.id !== 'string') fail('created tenant view is wrong', r);
    const t = tenantState(r.body, id.marker, 0);
    t.events.push({ action: 'tenant.created', optionKey: null, after: { slug: id.slug, name: id.name, riskLevel: 2 } });
    m.tenants.push(t);
    knowTenant(w, t);
  }
}

export type PrincipalTenantKind = 'none' | 'run' | 'missing' | 'malformed';

export class CreatePrincipal extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly role: Role,
    readonly tenant: PrincipalTenantKind,
    readonly i: number,
  ) {
    super();
  }
  toString() {
    const where = this.tenant === 'run' ? `T${this.i}` : this.tenant;
    return `POST /v1/principals role=${this.role} tenant=${where} as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const t = this.tenant === 'run' ? (m.tenants[this.i % m.tenants.length] as TenantState) : null;
    const slug =
      t?.slug ?? (this.tenant === 'missing' ? `missing-${m.run}-${this.i}` : this.tenant === 'malformed' ? 'Bad Slug' : undefined);
    const name = `principal ${m.counter++} of ${t?.slug ?? 'all'}`;
    const r = await call(w, actor, 'post', '/v1/principals', { name, role: this.role, ...(slug === undefined ? {} : { tenant: slug }) });
    scan(w, r, actor, slug === undefined ? undefined : t);
    const bound = this.role === 'client_admin' || this.role === 'service';
    const denied = gate('principals.create', actor);
    // A new operator waits for another operator's approval (202); a tenant's first client admin may be
    // made here, any other must be invited (409).
    const status =
      denied ??
      (bound !== (slug !== undefined) || this.tenant === 'malformed'
        ? 400
        : this.tenant === 'missing'
          ? 404
          : this.role === 'operator'
            ? 202
            : this.role === 'client_admin' && t?.hasAdmin
              ? 409
              : 201);
    expectStatus(r, status);
    if (status === 202) m.globalEvents.push({ action: 'principal.requested', optionKey: null });
    if (status !== 201) return;
    if (typeof r.body.token !== 'string' || r.body.role !== this.role || r.body.tenant !== (t?.slug ?? null))
      fail('issued principal view is wrong', r);
    const event = { action: 'principal.created', optionKey: null };
    if (t && this.role === 'client_admin') {
      // The operator's own person (lineage): the model's approvals assume distinct people, so it does not act.
      t.hasAdmin = true;
      w.owners.set(r.body.id, t.id);
      return void t.events.push(event);
    }
    const issued: ActorState = {
      label: `${this.role}@${t?.slug ?? 'all'}#issued`,
      authorization: `Bearer ${r.body.token}`,
      role: this.role,
      tenant: t,
      principalId: r.body.id,
    };
    m.issued.push(issued);
    if (t) w.owners.set(r.body.id, t.id);
    if (t) t.events.push(event);
    else m.globalEvents.push(event);
  }
}

export class TenantAudit extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly tenant: TenantPick,
    readonly limit: number,
  ) {
    super();
  }
  toString() {
    return `GET /v1/tenants/${showTenant(this.tenant)}/audit?limit=${this.limit} as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const target = resolveTenant(m, this.tenant, actor);
    const r = await call(w, actor, 'get', `/v1/tenants/${target.segment}/audit?limit=${this.limit}`);
    scan(w, r, actor, target.state);
    expectStatus(r, gate('audit.tenant', actor, target) ?? 200);
    if (r.status === 200 && target.state) expectAuditPage(r, target.state, this.limit);
  }
}

function expectAuditPage(r: Awaited<ReturnType<typeof call>>, t: TenantState, limit: number): void {
  const items = (r.body as { items: { tenant: string; tenantSeq: number }[] }).items;
  const total = t.initialEvents + t.events.length;
  if (items.length !== Math.min(limit, total)) fail(`audit page holds ${items.length} events, the model ${Math.min(limit, total)}`, r);
  if (items.some((e) => e.tenant !== t.slug)) fail("audit page holds another tenant's events", r);
  if (items[0] && items[0].tenantSeq !== total) fail(`newest tenant event is #${items[0].tenantSeq}, the model #${total}`, r);
}

export class GlobalAudit extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly filter: TenantPick | null,
  ) {
    super();
  }
  toString() {
    return `GET /v1/audit${this.filter ? `?tenant=${showTenant(this.filter)}` : ''} as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const target = this.filter ? resolveTenant(m, this.filter, actor) : undefined;
    const r = await call(w, actor, 'get', `/v1/audit?limit=50${target ? `&tenant=${target.segment}` : ''}`);
    scan(w, r, actor, target ? target.state : undefined);
    const denied = gate('audit.global', actor);
    const malformed = target !== undefined && this.filter?.kind === 'malformed';
    const status = denied ?? (malformed ? 400 : target && !target.state ? 404 : 200);
    expectStatus(r, status);
    if (status !== 200) return;
    if (target?.state) return expectAuditPage(r, target.state, 50);
    const newest = (r.body as { items: { seq: number }[] }).items[0]?.seq;
    const total = m.baselineSeq + m.globalEvents.length + m.tenants.reduce((n, t) => n + t.events.length, 0);
    if (newest !== total) fail(`newest global event is #${newest}, the model #${total}`, r);
  }
}

export class Registry extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly key: string | null,
  ) {
    super();
  }
  toString() {
    return `GET /v1/registry${this.key ? `/${this.key}` : ''} as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const r = await call(w, actor, 'get', `/v1/registry${this.key ? `/${this.key}` : ''}`);
    scan(w, r, actor);
    const denied = gate(this.key ? 'registry.get' : 'registry.list', actor);
    expectStatus(r, denied ?? (this.key && !w.defaults.has(this.key) ? 404 : 200));
  }
}
