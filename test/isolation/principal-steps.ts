import { call, expectStatus, fail, scan } from './http.js';
import { gate, type ActorState, type Model, type World } from './model.js';
import { resolveActor, showActor, type ActorPick } from './picks.js';
import { Step } from './step.js';

/** Whom to revoke: a principal of the run (admin, service or issued), oneself, an unknown id, or no id. */
export type RevokeKind = 'admin' | 'service' | 'issued' | 'self' | 'missing' | 'malformed';

const anyone: ActorState = { label: 'anyone', role: null, tenant: null };

/**
 * POST /v1/principals/:id/revoke. The tenant this is about is the principal's: a caller who
 * cannot see it gets 404 (like an unknown id), one who may not revoke gets 403. A revoked
 * token is refused with 401 from then on, on every route.
 */
export class RevokePrincipal extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly kind: RevokeKind,
    readonly i: number,
  ) {
    super();
  }
  toString() {
    return `POST /v1/principals/<${this.kind === 'self' || this.kind === 'missing' || this.kind === 'malformed' ? this.kind : `${this.kind}#${this.i}`}>/revoke as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const victim = this.victim(m, actor);
    const id =
      victim?.principalId ??
      (this.kind === 'malformed' ? 'not-a-principal' : `00000000-0000-4000-8000-${String(this.i).padStart(12, '0')}`);
    const r = await call(w, actor, 'post', `/v1/principals/${id}/revoke`);
    scan(w, r, actor, victim ? victim.tenant : undefined);
    const status = this.expected(actor, victim);
    expectStatus(r, status);
    if (status === 202 && victim?.tenant) {
      // Revoking a client admin waits for a client admin of its tenant: nothing is revoked yet.
      victim.tenant.events.push({ action: 'principal.requested', optionKey: null });
      return;
    }
    if (status !== 200 || !victim) return;
    if (r.body.id !== id || r.body.tenant !== (victim.tenant?.slug ?? null)) fail('revoked principal view is wrong', r);
    if (victim.role === null) return; // already revoked: nothing changes, nothing is recorded
    victim.role = null;
    victim.label += ' (revoked)';
    const event = { action: 'principal.revoked', optionKey: null };
    if (victim.tenant) victim.tenant.events.push(event);
    else m.globalEvents.push(event);
    // At once, on a route that reads the principal afresh and one served from its cache.
    for (const [method, path] of [
      ['get', '/v1/registry'],
      ['post', '/ofrep/v1/evaluate/flags'],
    ] as const) {
      const after = await call(w, victim, method, path, method === 'post' ? {} : undefined);
      scan(w, after, anyone);
      expectStatus(after, 401);
    }
  }

  private victim(m: Model, actor: ActorState): ActorState | null {
    const from = (list: ActorState[]) => (list.length ? (list[this.i % list.length] as ActorState) : null);
    switch (this.kind) {
      case 'admin':
        return from(m.admins);
      case 'service':
        return from(m.services);
      case 'issued':
        return from(m.issued);
      case 'self':
        return actor.principalId ? actor : null;
      default:
        return null;
    }
  }

  private expected(actor: ActorState, victim: ActorState | null): number {
    if (!actor.role) return 401;
    if (!victim) return 404;
    // A principal bound to no tenant is visible to callers bound to none.
    const target = victim.tenant ? { label: victim.tenant.slug, segment: victim.tenant.slug, state: victim.tenant } : undefined;
    if (!target && actor.tenant) return 404;
    const denied = gate('principals.revoke', actor, target);
    if (denied) return denied;
    if (victim === actor) return 409;
    // Operators of two people must remain: the run's operators are the first bootstrap operator's
    // person and the second bootstrap operator, so neither of the two may go.
    if (victim.role === 'operator') return 409;
    return victim.role === 'client_admin' ? 202 : 200;
  }
}
