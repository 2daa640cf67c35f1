import { outboxCode } from '../support/test-app.js';
import { call, expectStatus, fail, scan } from './http.js';
import { gate, type ActorState, type Model, type World } from './model.js';
import { adminOf, resolveActor, resolveTenant, showActor, showTenant, type ActorPick, type TenantPick } from './picks.js';
import { Step } from './step.js';

const invitee: ActorState = { label: 'invitee', role: null, tenant: null };

/** GET /v1/tenants/:tenant/principals and …/principal-requests: the tenant's own people and requests only. */
export class TenantPeople extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly tenant: TenantPick,
    readonly requests: boolean,
  ) {
    super();
  }
  toString() {
    return `GET /v1/tenants/${showTenant(this.tenant)}/${this.requests ? 'principal-requests' : 'principals'} as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const target = resolveTenant(m, this.tenant, actor);
    const r = await call(w, actor, 'get', `/v1/tenants/${target.segment}/${this.requests ? 'principal-requests' : 'principals'}`);
    scan(w, r, actor, target.state);
    expectStatus(r, gate(this.requests ? 'principal_requests.tenant_list' : 'principals.people', actor, target) ?? 200);
    const t = target.state;
    if (r.status !== 200 || !t) return;
    const items = r.body as { id: string; tenant?: string | null }[];
    if (items.some((x) => (this.requests ? x.tenant !== t.slug : w.owners.get(x.id) !== undefined && w.owners.get(x.id) !== t.id)))
      fail(`${t.slug}'s list names another tenant's`, r);
    const admin = adminOf(m, t);
    if (!this.requests && admin && !items.some((x) => x.id === admin.principalId)) fail(`${t.slug}'s people lack its client admin`, r);
  }
}

/** GET /v1/principal-requests: requests for new operators, which belong to no tenant. */
export class OperatorRequests extends Step {
  constructor(readonly actor: ActorPick) {
    super();
  }
  toString() {
    return `GET /v1/principal-requests as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const r = await call(w, actor, 'get', '/v1/principal-requests');
    scan(w, r, actor);
    expectStatus(r, gate('principal_requests.list', actor) ?? 200);
    if (r.status === 200 && (r.body as { kind: string; tenant: unknown }[]).some((x) => x.kind !== 'operator' || x.tenant !== null))
      fail("operator requests list a tenant's request", r);
  }
}

/**
 * POST /v1/tenants/:tenant/invitations. The code goes to the invitee's mailbox (the outbox), from
 * which the invitee redeems it (201, then 409 for a second try, audited). An operator's invitation
 * waits (202): once the tenant has a client admin, for one of them; before, for another operator.
 * `approve` has its client admin or the second operator approve it (refused with 403 when it is
 * not theirs to approve), then the invitee redeems.
 */
export class Invite extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly tenant: TenantPick,
    readonly approve: 'admin' | 'operator' | 'none',
  ) {
    super();
  }
  toString() {
    return `POST /v1/tenants/${showTenant(this.tenant)}/invitations as ${showActor(this.actor)}, approved by ${this.approve}, redeemed`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const target = resolveTenant(m, this.tenant, actor);
    const t = target.state;
    const email = `invitee-${m.run}-${m.counter++}@${t?.slug ?? 'nowhere'}.example`;
    const r = await call(w, actor, 'post', `/v1/tenants/${target.segment}/invitations`, { email, name: 'a colleague' });
    scan(w, r, actor, t);
    const denied = gate('invitations.create', actor, target);
    expectStatus(r, denied ?? (actor.role === 'operator' ? 202 : 201));
    if (r.status >= 300 || !t) return;
    w.owners.set(r.body.id, t.id);
    if (r.status === 202) {
      t.events.push({ action: 'principal.requested', optionKey: null });
      if (this.approve === 'none') return;
      const approver = this.approve === 'admin' ? adminOf(m, t) : m.operator2;
      if (!approver) return;
      const ok = await call(w, approver, 'post', `/v1/tenants/${t.slug}/principal-requests/${r.body.id}/approve`, {});
      scan(w, ok, approver, t);
      // A client admin of the tenant approves changes to its client admins; before it has one, another operator.
      const theirs = t.hasAdmin
        ? approver.role === 'client_admin'
        : approver.role === 'operator' && approver.principalId !== actor.principalId;
      expectStatus(ok, theirs ? 200 : approver.role === null ? 401 : 403);
      if (ok.status !== 200) return;
      t.events.push({ action: 'invitation.created', optionKey: null }, { action: 'principal.request_approved', optionKey: null });
    } else {
      t.events.push({ action: 'invitation.created', optionKey: null });
    }
    // The invitee, reading its own mail: a token of its own, once.
    const redeem = () => call(w, invitee, 'post', '/v1/invitations/redeem', { code: outboxCode(w.t, email) });
    const first = await redeem();
    scan(w, first, { ...invitee, role: 'client_admin', tenant: t });
    expectStatus(first, 201);
    w.owners.set(first.body.id, t.id);
    if (first.body.tenant !== t.slug || first.body.role !== 'client_admin') fail('redeemed principal view is wrong', first);
    t.events.push({ action: 'principal.created', optionKey: null }, { action: 'invitation.redeemed', optionKey: null });
    t.hasAdmin = true;
    const again = await redeem();
    scan(w, again, invitee);
    expectStatus(again, 409);
    t.events.push({ action: 'invitation.redeem_refused', optionKey: null });
  }
}

/** POST /v1/invitations/redeem with a code nobody was sent: 404, nothing recorded. */
export class RedeemUnknown extends Step {
  toString() {
    return 'POST /v1/invitations/redeem with an unknown code';
  }
  async exec(_m: Model, w: World) {
    const r = await call(w, invitee, 'post', '/v1/invitations/redeem', { code: `inv_${'A'.repeat(43)}` });
    scan(w, r, invitee);
    expectStatus(r, 404);
  }
}
