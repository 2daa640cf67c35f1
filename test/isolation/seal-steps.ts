import { isDeepStrictEqual } from 'node:util';
import { call, expectStatus, fail, scan, type Reply } from './http.js';
import { effectiveValue, gate, type ActorState, type Model, type SealState, type TenantState, type World } from './model.js';
import {
  adminOf,
  objectPath,
  resolveActorNear,
  resolveObject,
  showActorNear,
  showObject,
  type ActorPick,
  type ObjectPick,
} from './picks.js';
import { Step } from './step.js';

export type SealAction = 'propose' | 'list' | 'get' | 'verify' | 'approve' | 'lift';

const sealsOf = (t: TenantState) => t.seals;
/**
 * The seals an action can move: active ones to lift; proposed ones to approve, unless a client
 * admin proposed it (it then needs another client admin, which runs seldom have).
 */
const LIVE: Record<SealAction, (s: SealState) => boolean> = {
  approve: (s) => s.status === 'proposed' && s.proposerRole !== 'client_admin',
  lift: (s) => s.status === 'active',
  propose: (s) => s.status !== 'lifted',
  get: (s) => s.status !== 'lifted',
  verify: (s) => s.status === 'active',
  list: (s) => s.status !== 'lifted',
};

/**
 * Election seals: proposed, activated by k approvals (not the proposer's, one of them the
 * tenant's client admin), then every write to the tenant answers 423 until k approvals lift it.
 */
export class SealStep extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly action: SealAction,
    readonly pick: ObjectPick,
    readonly k: number,
  ) {
    super();
  }
  /** Approving or lifting a live seal waits until there is one (the command is skipped until then). */
  override check(m: Readonly<Model>) {
    return (
      this.pick.kind !== 'live' ||
      (this.action !== 'approve' && this.action !== 'lift') ||
      m.tenants.some((t) => t.seals.some(LIVE[this.action]))
    );
  }
  toString() {
    const what =
      this.action === 'propose'
        ? `propose a seal (k=${this.k}) near ${showObject('seal', this.pick)}`
        : this.action === 'list'
          ? `list the seals of the tenant of ${showObject('seal', this.pick)}`
          : `${this.action} ${showObject('seal', this.pick)}`;
    return `${what} as ${showActorNear(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const picked = resolveObject(m, this.pick, sealsOf, LIVE[this.action]);
    const actor = resolveActorNear(
      m,
      this.actor,
      picked.owner,
      approversOf(m, picked.owner, picked.object, this.action === 'lift' ? 'lift' : 'activate'),
    );
    const { tenant, target } = objectPath(m, this.pick, actor, picked, sealsOf);
    const t = tenant.state as TenantState;
    const base = `/v1/tenants/${tenant.segment}/seals`;
    const seal = target.object;
    const label = `Election ${t.marker} #${m.counter++}`;
    const r =
      this.action === 'propose'
        ? await call(w, actor, 'post', base, { label, requiredApprovals: this.k })
        : this.action === 'list'
          ? await call(w, actor, 'get', base)
          : this.action === 'get' || this.action === 'verify'
            ? await call(w, actor, 'get', `${base}/${target.id}${this.action === 'verify' ? '/verify' : ''}`)
            : await call(
                w,
                actor,
                'post',
                `${base}/${target.id}/${this.action}`,
                this.action === 'lift' ? { reason: 'the election is over' } : undefined,
              );
    scan(w, r, actor, t);
    const denied = gate(`seals.${this.action}`, actor, tenant);
    if (denied) return expectStatus(r, denied);
    if (this.action === 'propose') {
      expectStatus(r, 201);
      const s: SealState = {
        id: r.body.id,
        status: 'proposed',
        k: this.k,
        proposer: actor.principalId ?? '',
        proposerRole: actor.role,
        approvals: [],
      };
      t.seals.push(s);
      w.owners.set(s.id, t.id);
      t.events.push({ action: 'seal.proposed', optionKey: null, after: { id: s.id, label, requiredApprovals: this.k } });
      return expectView(r, s);
    }
    if (this.action === 'list') {
      expectStatus(r, 200);
      const got = (r.body as { id: string; status: string }[]).map((x) => `${x.id}:${x.status}`).sort();
      const want = t.seals.map((x) => `${x.id}:${x.status}`).sort();
      if (got.join() !== want.join()) fail(`seal list of ${t.slug} holds ${got.length} seals, the model ${want.length}`, r);
      return;
    }
    if (!seal) return expectStatus(r, 404);
    if (this.action === 'verify') return expectVerified(r, seal);
    const status = this.action === 'get' ? 200 : this.decide(actor, t, seal);
    expectStatus(r, status);
    if (status !== 200) return;
    expectView(r, seal);
    if (this.action === 'approve' && seal.status === 'active') {
      expectSealedState(w, r, t);
      // From now on the tenant's configuration is frozen: a write answers 423 and changes nothing.
      const write = await call(w, m.operator, 'put', `/v1/tenants/${t.slug}/options/ui_language`, {
        value: 'de',
        reason: 'after the seal',
      });
      scan(w, write, m.operator, t);
      expectStatus(write, 423);
    }
  }

  /** The expected status of approve/lift; on 200 the model moves as the service must. */
  private decide(actor: ActorState, t: TenantState, seal: SealState): number {
    const purpose = this.action === 'approve' ? 'activate' : 'lift';
    if (seal.status !== (purpose === 'activate' ? 'proposed' : 'active')) return 409;
    const me = actor.principalId ?? '';
    if (purpose === 'activate' && seal.proposer === me) return 403;
    if (seal.approvals.some((a) => a.principal === me && a.purpose === purpose)) return 409;
    const before = seal.approvals.filter((a) => a.purpose === purpose);
    // The quorum's last approval must be a client admin's when none has approved: another decides nothing.
    if (actor.role !== 'client_admin' && !before.some((a) => a.role === 'client_admin') && before.length >= seal.k - 1) return 409;
    const approvals = [
      ...seal.approvals,
      { principal: me, role: actor.role as NonNullable<ActorState['role']>, purpose },
    ] as SealState['approvals'];
    const mine = approvals.filter((a) => a.purpose === purpose);
    const quorum = mine.length >= seal.k && mine.some((a) => a.role === 'client_admin');
    // Activation beside another active seal is refused whole, the approval included.
    if (quorum && purpose === 'activate' && t.seals.some((s) => s.status === 'active')) return 409;
    seal.approvals = approvals;
    t.events.push({ action: purpose === 'activate' ? 'seal.approved' : 'seal.lift_approved', optionKey: null });
    if (quorum) {
      seal.status = purpose === 'activate' ? 'active' : 'lifted';
      t.events.push({ action: purpose === 'activate' ? 'seal.activated' : 'seal.lifted', optionKey: null });
    }
    return 200;
  }
}

/**
 * A proposed seal has no document yet (409); an active one still matches the tenant's data,
 * since nothing can change under it; a lifted one answers, whatever changed since.
 */
function expectVerified(r: Reply, s: SealState): void {
  expectStatus(r, s.status === 'proposed' ? 409 : 200);
  if (r.status !== 200) return;
  if (r.body.sealId !== s.id || r.body.status !== s.status)
    fail(`seal verification names another seal or status than ${s.id} (${s.status})`, r);
  if (s.status === 'active' && (r.body.valid !== true || r.body.matches !== true))
    fail('an active seal no longer verifies against its tenant', r);
}

/** Who may still approve `seal` for `purpose`: the tenant's client admin first (a quorum needs one), then operators. */
function approversOf(m: Model, t: TenantState | undefined, seal: SealState | null, purpose: 'activate' | 'lift'): ActorState[] {
  if (!seal) return [];
  const done = new Set(seal.approvals.filter((a) => a.purpose === purpose).map((a) => a.principal));
  return [adminOf(m, t), m.operator, m.operator2].filter(
    (a): a is ActorState =>
      a !== undefined && a.role !== null && !done.has(a.principalId ?? '') && !(purpose === 'activate' && a.principalId === seal.proposer),
  );
}

function expectView(r: Reply, s: SealState): void {
  const b = r.body as { id: string; status: string; approvals: unknown[]; requiredApprovals: number };
  if (b.id !== s.id || b.status !== s.status || b.approvals.length !== s.approvals.length || b.requiredApprovals !== s.k) {
    fail(`seal differs from the model (${s.status}, ${s.approvals.length} approvals, k=${s.k})`, r);
  }
}

/** The signed document fingerprints the tenant's effective configuration: the model's. */
function expectSealedState(w: World, r: Reply, t: TenantState): void {
  const doc = r.body.document as { state: { tenant: { id: string }; configuration: Record<string, unknown> } };
  if (doc.state.tenant.id !== t.id) fail('seal document names another tenant', r);
  for (const key of w.defaults.keys()) {
    if (!isDeepStrictEqual(doc.state.configuration[key], effectiveValue(w, t, key)))
      fail(`sealed ${key} is ${JSON.stringify(doc.state.configuration[key])}, the model ${JSON.stringify(effectiveValue(w, t, key))}`, r);
  }
}

/**
 * POST …/seals/:id/break-glass and …/break-glass-changes, for their access rules only: the
 * model does not follow a break-glass through, so an operator is sent to a seal that does not
 * exist (404). Everyone else is refused by the policy layer, and nothing changes (invariants).
 */
export class BreakGlass extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly pick: ObjectPick,
    readonly changes: boolean,
  ) {
    super();
  }
  toString() {
    return `${this.changes ? 'break-glass change under' : 'break the glass of'} ${showObject('seal', this.pick)} as ${showActorNear(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const picked = resolveObject(m, this.pick, sealsOf, LIVE.lift);
    const actor = resolveActorNear(m, this.actor, picked.owner);
    const { tenant, target } = objectPath(m, this.pick, actor, picked, sealsOf);
    const route = this.changes ? 'seals.break_glass_change' : 'seals.break_glass';
    const denied = gate(route, actor, tenant);
    const id = !denied && target.object ? `00000000-0000-4000-8000-${String(m.counter++).padStart(12, '0')}` : target.id;
    const body = this.changes
      ? { option: 'ui_language', value: 'de', reason: 'secrecy needs it now' }
      : { reason: 'the polling office cannot be reached' };
    const r = await call(
      w,
      actor,
      'post',
      `/v1/tenants/${tenant.segment}/seals/${id}/${this.changes ? 'break-glass-changes' : 'break-glass'}`,
      body,
    );
    scan(w, r, actor, tenant.state);
    expectStatus(r, denied ?? 404);
  }
}
