import { isDeepStrictEqual } from 'node:util';
import { call, expectStatus, fail, scan, type Reply } from './http.js';
import {
  applyChange,
  fileRequest,
  gate,
  isNoop,
  isSealed,
  needOf,
  optionState,
  type ActorState,
  type Model,
  type RequestState,
  type TenantState,
  type World,
} from './model.js';
import {
  adminOf,
  objectPath,
  resolveActor,
  resolveActorNear,
  resolveObject,
  resolveTenant,
  showActor,
  showActorNear,
  showObject,
  showTenant,
  type ActorPick,
  type ObjectPick,
  type TenantPick,
} from './picks.js';
import { Step } from './step.js';
import { VALUE_CASES, type ValueCase } from './values.js';

/** Records a request the service filed (202 or 201), checking the approvals it says it needs. */
export function expectFiled(w: World, r: Reply, t: TenantState, requester: ActorState): RequestState {
  const req = fileRequest(w, t, r.body, requester);
  if (r.body.status !== 'pending' || !isDeepStrictEqual(r.body.required, req.need))
    fail(`filed request needs ${JSON.stringify(req.need)} by the model`, r);
  return req;
}

export type RequestBodyKind = 'ok' | 'other-tenant' | 'invalid';

/** POST …/change-requests: a change that needs approvals, filed without applying anything. */
export class RequestChange extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly tenant: TenantPick,
    readonly valueIndex: number,
    readonly reset: boolean,
    readonly body: RequestBodyKind,
  ) {
    super();
  }
  private valueCase(): ValueCase {
    return VALUE_CASES[this.valueIndex % VALUE_CASES.length] as ValueCase;
  }
  toString() {
    const what = this.reset ? `reset ${this.valueCase().key}` : `${this.valueCase().key} = ${this.valueCase().label}`;
    return `POST ${showTenant(this.tenant)}/change-requests ${what} (${this.body}) as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const target = resolveTenant(m, this.tenant, actor);
    const t = target.state;
    const vc = this.valueCase();
    const value = this.body === 'invalid' ? { nested: ['not', 'a', 'value'] } : vc.make(t ?? { marker: 'none' });
    const other = m.tenants.find((x) => x !== t);
    const body = {
      option: vc.key,
      operation: this.reset ? 'reset' : 'set',
      ...(this.reset ? {} : { value }),
      reason: 'needs a second pair of eyes',
      ...(this.body === 'other-tenant' ? { tenant: other?.slug } : {}),
    };
    const r = await call(w, actor, 'post', `/v1/tenants/${target.segment}/change-requests`, body);
    scan(w, r, actor, t);
    const change = this.reset ? { isSet: false } : { isSet: true, value };
    const status =
      gate('change_requests.create', actor, target) ??
      (this.body === 'other-tenant'
        ? 409
        : !this.reset && (this.body === 'invalid' || !vc.valid)
          ? 400
          : expectedFiling(w, t as TenantState, vc.key, change));
    expectStatus(r, status);
    if (status === 201) expectFiled(w, r, t as TenantState, actor);
  }
}

/** What the change gate answers to a request: sealed, needs no approval, changes nothing, or filed. */
function expectedFiling(w: World, t: TenantState, key: string, change: { isSet: boolean; value?: unknown }): number {
  if (isSealed(t)) return 423;
  if (!needOf(w, key, t.riskLevel)) return 422;
  return isNoop(w, t, key, change) ? 409 : 201;
}

export type RequestAction = 'list' | 'get' | 'approve' | 'reject' | 'withdraw';

const requestsOf = (t: TenantState) => t.requests;
const pending = (r: RequestState) => r.status === 'pending';

/**
 * One change request route on a request of the run (or another tenant's, or none): four-eyes
 * approvals that apply the change once complete, rejection, withdrawal by the requester only.
 */
export class ChangeRequestStep extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly action: RequestAction,
    readonly pick: ObjectPick,
  ) {
    super();
  }
  /** Deciding on a pending request waits until there is one (the command is skipped until then). */
  override check(m: Readonly<Model>) {
    return this.pick.kind !== 'live' || this.action === 'list' || this.action === 'get' || m.tenants.some((t) => t.requests.some(pending));
  }
  toString() {
    const where =
      this.action === 'list'
        ? `change-requests of the tenant of ${showObject('CR', this.pick)}`
        : `${this.action} ${showObject('CR', this.pick)}`;
    return `${where} as ${showActorNear(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const picked = resolveObject(m, this.pick, requestsOf, pending);
    const actor = resolveActorNear(m, this.actor, picked.owner, approversOf(m, picked.owner, picked.object));
    const { tenant, target } = objectPath(m, this.pick, actor, picked, requestsOf);
    const t = tenant.state as TenantState;
    const base = `/v1/tenants/${tenant.segment}/change-requests`;
    const req = target.object;
    const r =
      this.action === 'list'
        ? await call(w, actor, 'get', base)
        : this.action === 'get'
          ? await call(w, actor, 'get', `${base}/${target.id}`)
          : await call(
              w,
              actor,
              'post',
              `${base}/${target.id}/${this.action}`,
              this.action === 'approve' ? { contentHash: req?.contentHash ?? 'a'.repeat(64) } : { reason: `${this.action} as asked` },
            );
    scan(w, r, actor, t);
    const denied = gate(`change_requests.${this.action}`, actor, tenant);
    if (denied || this.action === 'list') {
      expectStatus(r, denied ?? 200);
      if (!denied) expectList(r, t);
      return;
    }
    if (!req) return expectStatus(r, 404);
    if (this.action === 'get') {
      expectStatus(r, 200);
      return expectView(r, req);
    }
    const status = this.decide(w, actor, t, req);
    expectStatus(r, status);
    if (status === 200) expectView(r, req);
  }

  /** The expected status of approve/reject/withdraw; on 200 the model moves as the service must. */
  private decide(w: World, actor: ActorState, t: TenantState, req: RequestState): number {
    if (req.status !== 'pending') return 409;
    const me = actor.principalId ?? '';
    const event = (action: string) => t.events.push({ action: `change_request.${action}`, optionKey: req.key });
    if (this.action === 'reject') {
      req.status = 'rejected';
      event('rejected');
      return 200;
    }
    if (this.action === 'withdraw') {
      if (req.requester !== me) return 403;
      req.status = 'withdrawn';
      event('withdrawn');
      return 200;
    }
    if (req.requester === me) return 403;
    if (req.approvals.some((a) => a.principal === me)) return 409;
    // An approval that decides nothing is refused: consent nobody needs, or a role already given.
    const role = actor.role as string;
    if (role === 'client_admin' && (!req.need.clientAdmin || req.approvals.some((a) => a.role === 'client_admin'))) return 409;
    if (role === 'operator' && (!req.need.operator || req.approvals.some((a) => a.role === 'operator'))) return 409;
    // The run's operators and client admins are distinct people (lineages): the lineage rule never refuses them.
    const approvals = [...req.approvals, { principal: me, role: actor.role as NonNullable<ActorState['role']> }];
    const has = (role: string) => approvals.some((a) => a.role === role);
    const complete = (!req.need.operator || has('operator')) && (!req.need.clientAdmin || has('client_admin'));
    // Completing applies the change in the same transaction: refused whole when sealed or outdated.
    if (complete && isSealed(t)) return 423;
    if (complete && optionState(t, req.key).version !== req.baseVersion) return 409;
    req.approvals = approvals;
    event('approved');
    if (complete) {
      applyChange(w, t, req.key, req.change);
      req.status = 'applied';
      event('applied');
    }
    return 200;
  }
}

/** Who may still approve `req`: operators and the tenant's client admin, minus the requester. */
function approversOf(m: Model, t: TenantState | undefined, req: RequestState | null): ActorState[] {
  if (!req) return [];
  return [adminOf(m, t), m.operator, m.operator2].filter(
    (a): a is ActorState =>
      a !== undefined && a.role !== null && a.principalId !== req.requester && !req.approvals.some((x) => x.principal === a.principalId),
  );
}

function expectView(r: Reply, req: RequestState): void {
  const b = r.body as { id: string; status: string; approvals: unknown[]; contentHash: string };
  if (b.id !== req.id || b.status !== req.status || b.approvals.length !== req.approvals.length || b.contentHash !== req.contentHash) {
    fail(`change request differs from the model (${req.status}, ${req.approvals.length} approvals)`, r);
  }
}

function expectList(r: Reply, t: TenantState): void {
  const got = (r.body as { id: string; status: string }[]).map((x) => `${x.id}:${x.status}`).sort();
  const want = t.requests.map((x) => `${x.id}:${x.status}`).sort();
  if (got.join() !== want.join()) fail(`change request list of ${t.slug} holds ${got.length} requests, the model ${want.length}`, r);
}

export type EditBodyKind = 'ok' | 'invalid';

/**
 * PATCH …/change-requests/:id: only the requester edits a pending request; the new content has a
 * new hash, so approvals given before stop counting and an approval naming the old hash is refused.
 */
export class EditRequest extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly pick: ObjectPick,
    readonly valueIndex: number,
    readonly body: EditBodyKind,
  ) {
    super();
  }
  override check(m: Readonly<Model>) {
    return this.pick.kind !== 'live' || m.tenants.some((t) => t.requests.some(pending));
  }
  toString() {
    return `edit ${showObject('CR', this.pick)} (${this.body}, value #${this.valueIndex}) as ${showActorNear(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const picked = resolveObject(m, this.pick, requestsOf, pending);
    const requester = [m.operator, m.operator2, ...m.issued].filter((a) => picked.object && a.principalId === picked.object.requester);
    const actor = resolveActorNear(m, this.actor, picked.owner, requester);
    const { tenant, target } = objectPath(m, this.pick, actor, picked, requestsOf);
    const t = tenant.state as TenantState;
    const req = target.object;
    const valid = VALUE_CASES.filter((vc) => vc.valid && vc.key === req?.key);
    const vc = valid[this.valueIndex % Math.max(valid.length, 1)];
    const value = this.body === 'invalid' ? { nested: ['not', 'a', 'value'] } : req?.change.isSet ? vc?.make(t) : undefined;
    const reason = `edited as asked #${m.counter++}`;
    const r = await call(w, actor, 'patch', `/v1/tenants/${tenant.segment}/change-requests/${target.id}`, {
      ...(value === undefined ? {} : { value }),
      reason,
    });
    scan(w, r, actor, t);
    const denied = gate('change_requests.edit', actor, tenant);
    if (denied) return expectStatus(r, denied);
    if (!req) return expectStatus(r, 404);
    const status =
      req.status !== 'pending'
        ? 409
        : req.requester !== actor.principalId
          ? 403
          : this.body === 'invalid'
            ? req.change.isSet
              ? 400
              : 409
            : 200;
    expectStatus(r, status);
    if (status !== 200) return;
    const old = req.contentHash;
    if (typeof r.body.contentHash !== 'string' || r.body.contentHash === old) fail('an edit must give the request a new content hash', r);
    req.contentHash = r.body.contentHash;
    req.approvals = [];
    if (req.change.isSet && value !== undefined) req.change = { isSet: true, value };
    t.events.push({ action: 'change_request.edited', optionKey: req.key });
    expectView(r, req);
    // An approval of what was there before the edit is refused and records nothing.
    const approver = actor === m.operator ? m.operator2 : m.operator;
    const stale = await call(w, approver, 'post', `/v1/tenants/${t.slug}/change-requests/${req.id}/approve`, { contentHash: old });
    scan(w, stale, approver, t);
    expectStatus(stale, 409);
  }
}
