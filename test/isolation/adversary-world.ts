import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, outboxCode } from '../support/test-app.js';
import { call, type Reply } from './http.js';
import { knowTenant, type ActorState, type World } from './model.js';
import { newTenantIdentity } from './other-steps.js';

/** A tenant of an adversary run: prepared by honest people, or created by the adversary. */
export interface AdvTenant {
  id: string;
  slug: string;
  marker: string;
  riskLevel: number;
  /** Sealed by honest people before the adversary starts: none of its values may move. */
  sealed: boolean;
}

/** A principal the adversary holds (its token), or only knows of (no token: a revocation target). */
export interface AdvPrincipal extends ActorState {
  id: string;
  /** The tenant the principal is bound to, by id (null: spans tenants). */
  tenantId: string | null;
}

export interface AdvObject {
  id: string;
  /** The tenant the object belongs to (null: none). */
  tenant: AdvTenant | null;
  contentHash?: string;
  /** As last seen by the adversary (pending, active, …). */
  status?: string;
}

/**
 * What the adversary — the first bootstrap operator, acting alone — holds and knows: its own
 * principals (tokens), every tenant of the run and the ids of objects an operator can list
 * anyway (honest people's change requests, seals, principal requests and principals).
 */
export interface AdvModel {
  run: number;
  tenants: AdvTenant[];
  /** Tenants of earlier runs and of the honest model: foreign to everything in this run. */
  foreign: AdvTenant[];
  principals: AdvPrincipal[];
  /** Principals of honest people: op2 and the client admins, by tenant. */
  honest: { operator2: string; admins: Map<string, string[]> };
  /** Ids of principals the adversary knows (revocation targets), its own included. */
  known: AdvPrincipal[];
  requests: AdvObject[];
  seals: AdvObject[];
  principalRequests: AdvObject[];
  /** Invitation codes that appeared in a response to the adversary (none should). */
  codes: string[];
  /** The adversary's person. */
  lineage: string;
  counter: number;
}

const RUN_TENANTS = 8;
/** Per prepared tenant: risk level, honest client admins, sealed; see prepareHonestWorld. */
const PROFILES = [
  { risk: 1, admins: 0, sealed: false },
  { risk: 2, admins: 0, sealed: false },
  { risk: 3, admins: 0, sealed: false },
  { risk: 1, admins: 1, sealed: false },
  { risk: 2, admins: 2, sealed: true },
  { risk: 3, admins: 1, sealed: false },
  { risk: 1, admins: 2, sealed: true },
  { risk: 3, admins: 2, sealed: true },
] as const;

const op1: ActorState = {
  label: 'adversary (first bootstrap operator)',
  authorization: `Bearer ${OPERATOR_TOKEN}`,
  role: 'operator',
  tenant: null,
};
const op2: ActorState = {
  label: 'second bootstrap operator (honest)',
  authorization: `Bearer ${OPERATOR_TOKEN_2}`,
  role: 'operator',
  tenant: null,
};
const invitee: ActorState = { label: 'invitee', role: null, tenant: null };

function ok(r: Reply, status: number): Reply {
  if (r.status !== status) throw new Error(`preparing the adversary's world: expected ${status}\n  ${r.describe}`);
  return r;
}

/**
 * An honest client admin: invited by op2, approved by an earlier client admin if any (else by op1,
 * still honest while the world is prepared), redeemed by the invitee from its mailbox.
 */
async function inviteHonestAdmin(w: World, t: AdvTenant, n: number, earlier: ActorState | undefined): Promise<ActorState & { id: string }> {
  const email = `admin-${w.runs}-${n}@${t.slug}.example`;
  const inv = await call(w, op2, 'post', `/v1/tenants/${t.slug}/invitations`, { email, name: `client admin ${n} of ${t.slug}` });
  ok(inv, 202);
  w.owners.set(inv.body.id, t.id);
  ok(await call(w, earlier ?? op1, 'post', `/v1/tenants/${t.slug}/principal-requests/${inv.body.id}/approve`, {}), 200);
  const r = ok(await call(w, invitee, 'post', '/v1/invitations/redeem', { code: outboxCode(w.t, email) }), 201);
  w.owners.set(r.body.id, t.id);
  return {
    label: `honest client admin ${n} of ${t.slug}`,
    authorization: `Bearer ${r.body.token}`,
    role: 'client_admin',
    tenant: null,
    id: r.body.id,
  };
}

/**
 * A change applied with the approvals its risk needs: requested by op2, approved by op1 (still
 * honest here) and, for a critical option, consented to by the tenant's client admin.
 */
async function honestChange(w: World, t: AdvTenant, key: string, value: unknown, admin: ActorState | undefined): Promise<void> {
  const r = ok(await call(w, op2, 'put', `/v1/tenants/${t.slug}/options/${key}`, { value, reason: 'agreed with the client' }), 202);
  w.owners.set(r.body.id, t.id);
  const approve = (who: ActorState) =>
    call(w, who, 'post', `/v1/tenants/${t.slug}/change-requests/${r.body.id}/approve`, { contentHash: r.body.contentHash });
  ok(await approve(op1), 200);
  if (r.body.required?.clientAdmin) ok(await approve(admin as ActorState), 200);
}

/**
 * The world honest people leave before the adversary acts: eight tenants of risk levels 1–3;
 * five with client admins invited through the outbox (the invitee's mailbox, which the adversary
 * never reads), three of them with two; critical and high values changed with the approvals they
 * need; three tenants sealed by op2 and their client admins; pending requests by op2 (critical
 * changes, with and without op1's approval; an invitation; a new operator) that one more person
 * would have to approve. op1 also holds a second operator login, approved by op2 (same person). High-risk requests by op2 are not left pending: op1 approving one is four
 * eyes, not an attack.
 */
export async function prepareHonestWorld(w: World, foreign: AdvTenant[]): Promise<AdvModel> {
  const run = ++w.runs;
  const me = ok(await call(w, op1, 'get', '/v1/me'), 200);
  const you = ok(await call(w, op2, 'get', '/v1/me'), 200);
  const lineage = await w.t.superuser(
    async (c) => (await c.query<{ l: string }>('SELECT lineage_id AS l FROM principals WHERE id = $1', [me.body.id])).rows[0]?.l as string,
  );
  const m: AdvModel = {
    run,
    tenants: [],
    foreign,
    principals: [{ ...op1, id: me.body.id, tenantId: null }],
    honest: { operator2: you.body.id, admins: new Map() },
    known: [{ ...op2, authorization: undefined, id: you.body.id, tenantId: null }],
    requests: [],
    seals: [],
    principalRequests: [],
    codes: [],
    lineage,
    counter: 0,
  };
  m.known.unshift(m.principals[0] as AdvPrincipal);
  for (let k = 0; k < RUN_TENANTS; k++) {
    const p = PROFILES[k % PROFILES.length] as (typeof PROFILES)[number];
    const id = newTenantIdentity();
    const r = ok(await call(w, op2, 'post', '/v1/tenants', { slug: id.slug, name: id.name, riskLevel: p.risk }), 201);
    const t: AdvTenant = { id: r.body.id, slug: id.slug, marker: id.marker, riskLevel: p.risk, sealed: p.sealed };
    knowTenant(w, t);
    m.tenants.push(t);
    const admins: (ActorState & { id: string })[] = [];
    for (let n = 0; n < p.admins; n++) admins.push(await inviteHonestAdmin(w, t, n, admins[0]));
    m.honest.admins.set(
      t.id,
      admins.map((a) => a.id),
    );
    for (const a of admins) m.known.push({ ...a, authorization: undefined, id: a.id, tenantId: t.id });
    if (admins.length) {
      await honestChange(w, t, 'ballot_secrecy', 'admin_visible', admins[0]);
      await honestChange(w, t, 'voter_list_export', true, admins[0]);
    }
    if (p.risk === 3) await honestChange(w, t, 'ui_language', 'de', admins[0]);
    if (p.sealed) {
      const s = ok(await call(w, op2, 'post', `/v1/tenants/${t.slug}/seals`, { label: `Election ${t.marker}`, requiredApprovals: 2 }), 201);
      w.owners.set(s.body.id, t.id);
      for (const a of admins) ok(await call(w, a, 'post', `/v1/tenants/${t.slug}/seals/${s.body.id}/approve`), 200);
      m.seals.push({ id: s.body.id, tenant: t, status: 'active' });
      continue;
    }
    // A critical change op2 wants: op1 may give the operator's approval (or has), never the client's consent.
    const c = ok(
      await call(w, op2, 'post', `/v1/tenants/${t.slug}/change-requests`, {
        option: 'admin_can_view_credentials',
        operation: 'set',
        value: true,
        reason: 'requested by the client',
      }),
      201,
    );
    w.owners.set(c.body.id, t.id);
    m.requests.push({ id: c.body.id, tenant: t, contentHash: c.body.contentHash, status: 'pending' });
    if (k % 2)
      ok(
        await call(w, op1, 'post', `/v1/tenants/${t.slug}/change-requests/${c.body.id}/approve`, { contentHash: c.body.contentHash }),
        200,
      );
    if (admins.length) {
      const inv = ok(
        await call(w, op2, 'post', `/v1/tenants/${t.slug}/invitations`, {
          email: `pending-${run}@${t.slug}.example`,
          name: 'invited by op2',
        }),
        202,
      );
      w.owners.set(inv.body.id, t.id);
      m.principalRequests.push({ id: inv.body.id, tenant: t });
    }
  }
  const op = ok(await call(w, op2, 'post', '/v1/principals', { name: `operator wanted by op2 (${run})`, role: 'operator' }), 202);
  m.principalRequests.push({ id: op.body.id, tenant: null, status: 'pending' });
  // A second login op1 asked for and op2 approved: another token of the same person, as the trust model allows.
  const login = ok(await call(w, op1, 'post', '/v1/principals', { name: `second login of op1 (${run})`, role: 'operator' }), 202);
  ok(await call(w, op2, 'post', `/v1/principal-requests/${login.body.id}/approve`, {}), 200);
  const token = ok(await call(w, op1, 'post', `/v1/principal-requests/${login.body.id}/token`, {}), 201);
  const second: AdvPrincipal = {
    label: 'second login of the adversary',
    authorization: `Bearer ${token.body.token}`,
    role: 'operator',
    tenant: null,
    id: token.body.id,
    tenantId: null,
  };
  m.principals.push(second);
  m.known.push(second);
  return m;
}
