import { randomBytes } from 'node:crypto';
import type fc from 'fast-check';
import { checkAdversaryWorld, type AdversaryBaseline } from './adversary-invariants.js';
import { advValue, type AdvPick, type HashKind } from './adversary-values.js';
import type { AdvModel, AdvObject, AdvPrincipal, AdvTenant } from './adversary-world.js';
import { call, expectNoForeignData, fail, type Reply } from './http.js';
import { knowTenant, type World } from './model.js';
import { newTenantIdentity } from './other-steps.js';
import { PRESET_NAMES } from './read-steps.js';
import { outboxCode } from '../support/test-app.js';

/** What one adversary run carries besides the model: the baseline to hold and what was tried. */
export interface AdversaryRun {
  model: AdvModel;
  baseline: AdversaryBaseline;
  /** Refusals by rule (lineage rules, approval_not_needed, …) and 2xx by move: what the adversary reached. */
  tally: Record<string, number>;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export interface Sent {
  method: Method;
  path: string;
  body?: unknown;
  /** The tenant the path names, if any. */
  tenant?: AdvTenant;
  /** The tenant the addressed principal belongs to (null: none), when the path names no tenant. */
  owner?: string | null;
  /** A tenant to create: its identity. */
  created?: ReturnType<typeof newTenantIdentity>;
}

/** Statuses of objects someone may still decide on. */
const LIVE = new Set(['pending', 'approved', 'proposed', 'active']);
const nil = (i: number) => `00000000-0000-4000-8000-${String(i % 1e12).padStart(12, '0')}`;
const reason = 'the client asked for it on the phone';
const bump = (tally: Record<string, number>, k: string) => (tally[k] = (tally[k] ?? 0) + 1);

/**
 * One random move of the adversary: any route, as any of its principals, with random bodies
 * (approvals naming any content hash included). It must never reach what one person may not
 * (checkAdversaryWorld), and every answer keeps the isolation rules: below 500, a JSON error
 * body, another tenant named in the path is a 404 for a tenant-bound caller, no other tenant's
 * data in the answer.
 */
export class AdversaryStep implements fc.AsyncCommand<AdversaryRun, World> {
  constructor(readonly p: AdvPick) {}
  check(): boolean {
    return true;
  }
  toString() {
    const p = this.p;
    return `${p.move} actor#${p.actor} ${p.foreign ? 'foreign' : 'T'}${p.tenant} obj#${p.object} value#${p.value} hash=${p.hash}${p.flag ? ' flag' : ''}`;
  }

  async run(s: AdversaryRun, w: World): Promise<void> {
    const sent = this.request(s.model);
    await send(s, w, this.actorFor(s.model, sent), sent, this.p.move, this.p.flag ? null : this.p.hash);
  }

  /**
   * A principal bound to the tenant the move is about, when the adversary holds one (its client
   * admin is what it would consent with); else mostly one of its operator logins; now and then any.
   */
  private actorFor(m: AdvModel, sent: Sent): AdvPrincipal {
    const near = sent.tenant ? m.principals.filter((x) => x.tenantId === sent.tenant?.id && x.role !== null) : [];
    const operators = m.principals.filter((x) => x.role === 'operator');
    const pool =
      this.p.actor % 4 === 0 ? m.principals : near.length && this.p.actor % 4 !== 1 ? near : operators.length ? operators : m.principals;
    return pool[this.p.actor % pool.length] as AdvPrincipal;
  }

  private request(m: AdvModel): Sent {
    const p = this.p;
    const pool = p.foreign && m.foreign.length ? m.foreign : m.tenants;
    const t = pool[p.tenant % pool.length] as AdvTenant;
    const { key, value } = advValue(p.value);
    // Mostly an object still open to a decision (the picked tenant's, now and then), else any.
    const pick = <T extends AdvObject>(all: T[]): T | undefined => {
      const live = all.filter((o) => o.status === undefined || LIVE.has(o.status));
      const here = live.filter((o) => o.tenant === t);
      const list = p.object % 4 === 0 || !live.length ? all : p.object % 4 === 1 && here.length ? here : live;
      return list[p.object % Math.max(list.length, 1)];
    };
    // An object is addressed under its own tenant, now and then under the picked one.
    const under = (o: AdvObject | undefined) => (p.object % 7 === 6 || !o?.tenant ? t : o.tenant);
    const opt = `/v1/tenants/${t.slug}/options/${key}`;
    switch (p.move) {
      case 'put':
        return { method: 'put', path: opt, body: { value, reason }, tenant: t };
      case 'delete':
        return { method: 'delete', path: opt, body: { reason }, tenant: t };
      case 'request':
        return {
          method: 'post',
          path: `/v1/tenants/${t.slug}/change-requests`,
          body: { option: key, operation: p.flag ? 'reset' : 'set', ...(p.flag ? {} : { value }), reason },
          tenant: t,
        };
      case 'edit':
      case 'approve':
      case 'reject':
      case 'withdraw': {
        const o = pick(m.requests);
        const at = under(o);
        const path = `/v1/tenants/${at.slug}/change-requests/${o?.id ?? nil(p.object)}`;
        if (p.move === 'edit') return { method: 'patch', path, body: { value, reason: `${reason} (${m.counter++})` }, tenant: at };
        if (p.move !== 'approve') return { method: 'post', path: `${path}/${p.move}`, body: { reason }, tenant: at };
        const other = m.requests[(p.object + 1) % Math.max(m.requests.length, 1)];
        const contentHash = p.hash === 'current' ? o?.contentHash : p.hash === 'other' ? other?.contentHash : undefined;
        return {
          method: 'post',
          path: `${path}/approve`,
          body: { contentHash: contentHash ?? randomBytes(32).toString('hex') },
          tenant: at,
        };
      }
      case 'bulk': {
        const tenants = [
          ...new Set([0, 1, 2].slice(0, 1 + (p.object % 3)).map((k) => (m.tenants[(p.tenant + k) % m.tenants.length] as AdvTenant).slug)),
        ];
        const body = {
          option: key,
          operation: p.hash === 'other' ? 'reset' : 'set',
          ...(p.hash === 'other' ? {} : { value }),
          tenants,
          reason,
          dryRun: true,
        };
        return { method: 'post', path: '/v1/bulk-changes', body };
      }
      case 'createTenant': {
        const id = newTenantIdentity();
        m.counter++;
        const preset = p.flag ? { preset: PRESET_NAMES[p.value % PRESET_NAMES.length] } : {};
        return {
          method: 'post',
          path: '/v1/tenants',
          body: { slug: id.slug, name: id.name, riskLevel: 1 + (p.value % 3), ...preset },
          created: id,
        };
      }
      case 'createPrincipal': {
        const role = (['operator', 'compliance', 'client_admin', 'service', 'client_admin'] as const)[p.value % 5];
        const bound = role === 'client_admin' || role === 'service';
        return {
          method: 'post',
          path: '/v1/principals',
          body: { name: `${role} ${m.counter++}`, role, ...(bound ? { tenant: t.slug } : {}) },
        };
      }
      case 'approveOperator':
      case 'collectToken': {
        const o = pick(m.principalRequests);
        return {
          method: 'post',
          path: `/v1/principal-requests/${o?.id ?? nil(p.object)}/${p.move === 'collectToken' ? 'token' : 'approve'}`,
          body: {},
        };
      }
      case 'approveTenantRequest': {
        const o = pick(m.principalRequests.filter((x) => x.tenant));
        const at = under(o);
        return {
          method: 'post',
          path: `/v1/tenants/${at.slug}/principal-requests/${o?.id ?? nil(p.object)}/approve`,
          body: {},
          tenant: at,
        };
      }
      case 'invite':
        return {
          method: 'post',
          path: `/v1/tenants/${t.slug}/invitations`,
          body: { email: `friend-${m.counter++}@attacker.example.net`, name: 'a friend of the operator' },
          tenant: t,
        };
      case 'redeem': {
        const code =
          p.flag && m.codes.length ? m.codes[p.object % m.codes.length] : `inv_${randomBytes(32).toString('base64url').slice(0, 43)}`;
        return { method: 'post', path: '/v1/invitations/redeem', body: { code } };
      }
      case 'revoke': {
        // Any principal but the bootstrap operator's own login, which later runs start from (revoking
        // it by another login of the same person is allowed and gains the adversary nothing).
        const targets = m.known.filter((x) => x !== m.principals[0]);
        const victim = targets[p.object % targets.length] as AdvPrincipal;
        const target = m.tenants.find((x) => x.id === victim.tenantId);
        return { method: 'post', path: `/v1/principals/${victim.id}/revoke`, tenant: target, owner: victim.tenantId };
      }
      case 'sealPropose':
        return {
          method: 'post',
          path: `/v1/tenants/${t.slug}/seals`,
          body: { label: `Adversary ${m.counter++}`, requiredApprovals: 2 + (p.value % 2) },
          tenant: t,
        };
      case 'sealApprove':
      case 'sealLift':
      case 'breakGlass':
      case 'breakGlassChange': {
        const o = pick(m.seals);
        const at = under(o);
        const base = `/v1/tenants/${at.slug}/seals/${o?.id ?? nil(p.object)}`;
        if (p.move === 'sealApprove') return { method: 'post', path: `${base}/approve`, tenant: at };
        if (p.move === 'sealLift') return { method: 'post', path: `${base}/lift`, body: { reason }, tenant: at };
        if (p.move === 'breakGlass') return { method: 'post', path: `${base}/break-glass`, body: { reason }, tenant: at };
        // More secrecy (admin_visible → secret) is what break-glass allows; anything else must be refused.
        const change = p.hash === 'current' ? { option: 'ballot_secrecy', value: 'secret' } : { option: key, value };
        return { method: 'post', path: `${base}/break-glass-changes`, body: { ...change, reason }, tenant: at };
      }
      case 'people':
        return { method: 'get', path: `/v1/tenants/${t.slug}/principals`, tenant: t };
      case 'requestsList':
        return p.flag
          ? { method: 'get', path: '/v1/principal-requests' }
          : { method: 'get', path: `/v1/tenants/${t.slug}/principal-requests`, tenant: t };
      case 'read': {
        const reads = ['options', 'change-requests', 'seals', 'audit?limit=20', 'reports/exposure', 'principals'];
        return { method: 'get', path: `/v1/tenants/${t.slug}/${reads[p.value % reads.length]}`, tenant: t };
      }
      case 'evaluate':
        return {
          method: 'post',
          path: '/ofrep/v1/evaluate/flags',
          body: { context: { targetingKey: 'voter-1', ...(p.flag ? { tenant: t.slug } : {}) } },
        };
    }
  }
}

/**
 * Sends one request as `actor`, holds the isolation rules on the answer, learns from it (a bulk
 * dry run is then applied with its plan hash, or, for `hash` 'random', a made-up one), then
 * checks the world: nothing one person may not reach, nothing recorded for a refusal.
 */
export async function send(
  s: AdversaryRun,
  w: World,
  actor: AdvPrincipal,
  sent: Sent,
  move: string,
  hash: HashKind | null,
): Promise<Reply> {
  const r = await call(w, actor, sent.method, sent.path, sent.body);
  w.stats.commands++;
  w.stats.kinds[`adversary:${move}`] = (w.stats.kinds[`adversary:${move}`] ?? 0) + 1;
  expectIsolated(w, actor, sent, r);
  // The rule refused, or the message without the names it quotes: outcomes add up across moves.
  const rule =
    (r.body?.details?.[0]?.rule as string | undefined) ??
    String(r.body?.message)
      .replace(/"[^"]*"|[0-9a-f-]{36}/g, '…')
      .slice(0, 60);
  bump(s.tally, r.status >= 400 ? `${r.status} ${rule}` : `${r.status} ${move}`);
  if (r.status < 300) learn(s.model, w, actor, sent, r);
  if (sent.path === '/v1/bulk-changes' && hash !== null && r.status === 200 && typeof r.body?.planHash === 'string') {
    const planHash = hash === 'random' ? randomBytes(32).toString('hex') : r.body.planHash;
    const apply = { ...sent, body: { ...(sent.body as object), dryRun: false, planHash } };
    const a = await call(w, actor, 'post', apply.path, apply.body);
    expectIsolated(w, actor, apply, a);
    bump(s.tally, `${a.status} bulk apply`);
    if (a.status < 300) learn(s.model, w, actor, apply, a);
  }
  // A refused request changes nothing and records nothing (a refused redemption is audited on purpose).
  await checkAdversaryWorld(s, w, r, r.status >= 400 && sent.path !== '/v1/invitations/redeem');
  return r;
}

/** The usual isolation rules, for whichever principal the adversary used. */
function expectIsolated(w: World, actor: AdvPrincipal, sent: Sent, r: Reply): void {
  if (r.status >= 500) fail('the service failed (5xx)', r);
  if (r.status >= 400 && (r.body?.statusCode !== r.status || typeof r.body?.message !== 'string'))
    fail('error without the JSON error body', r);
  if (actor.role === null && sent.path !== '/v1/invitations/redeem' && r.status !== 401) fail('a revoked token must get 401', r);
  const bound = actor.role !== null && actor.tenantId !== null;
  const owner = sent.owner !== undefined ? sent.owner : sent.tenant?.id;
  if (bound && owner !== undefined && owner !== actor.tenantId && r.status !== 404)
    fail(`what belongs to ${owner ?? 'no tenant'} must answer 404 to a principal of tenant ${actor.tenantId}`, r);
  const allowed = bound ? [actor.tenantId as string] : sent.tenant ? [sent.tenant.id] : null;
  if (allowed) expectNoForeignData(w, r, new Set(allowed));
}

/** A new object, or what is new about a known one (its hash, its status). */
function remember(list: AdvObject[], o: AdvObject): void {
  const known = list.find((x) => x.id === o.id);
  if (known) Object.assign(known, o);
  else list.push(o);
}

/** What the answer hands the adversary: tokens, ids and content hashes to use later, new tenants. */
function learn(m: AdvModel, w: World, actor: AdvPrincipal, sent: Sent, r: Reply): void {
  const created = sent.created;
  if (created && r.status === 201) {
    const t: AdvTenant = { id: r.body.id, slug: created.slug, marker: created.marker, riskLevel: r.body.riskLevel, sealed: false };
    knowTenant(w, t);
    m.tenants.push(t);
  }
  for (const code of r.text.matchAll(/inv_[A-Za-z0-9_-]{43}/g)) m.codes.push(code[0]);
  // The adversary's invitations go to addresses it holds: it reads the code in its own mailbox.
  if (sent.path.endsWith('/invitations') && r.status === 201) m.codes.push(outboxCode(w.t, (sent.body as { email: string }).email));
  // Revoked at once, or when a client admin approved the revocation: the token gets 401 from then on.
  const revoked =
    sent.path.endsWith('/revoke') && r.status === 200
      ? r.body.id
      : r.body?.kind === 'revocation' && r.body.status === 'delivered'
        ? r.body.target
        : null;
  const held = revoked ? m.principals.find((x) => x.id === revoked) : undefined;
  if (held) held.role = null;
  const bySlug = (slug: unknown) => m.tenants.find((x) => x.slug === slug) ?? m.foreign.find((x) => x.slug === slug) ?? null;
  const walk = (o: unknown, tenant: AdvTenant | null): void => {
    if (Array.isArray(o)) return o.forEach((x) => walk(x, tenant));
    if (!o || typeof o !== 'object') return;
    const x = o as Record<string, unknown>;
    const own = (typeof x.tenant === 'string' ? bySlug(x.tenant) : null) ?? tenant;
    const id = typeof x.id === 'string' ? x.id : null;
    // Only objects that name their tenant (or seals, under their tenant's path) are that tenant's.
    if (id && own && (typeof x.tenant === 'string' || typeof x.requiredApprovals === 'number')) w.owners.set(id, own.id);
    if (id && typeof x.token === 'string' && typeof x.role === 'string') {
      const p: AdvPrincipal = {
        label: `${x.role} #${m.principals.length} of the adversary`,
        authorization: `Bearer ${x.token}`,
        role: x.role as AdvPrincipal['role'],
        tenant: null,
        id,
        tenantId: own?.id ?? null,
      };
      m.principals.push(p);
      m.known.push(p);
    } else if (id && typeof x.contentHash === 'string' && typeof x.option === 'string' && own) {
      remember(m.requests, { id, tenant: own, contentHash: x.contentHash, status: String(x.status) });
    } else if (id && typeof x.requiredApprovals === 'number' && own) {
      remember(m.seals, { id, tenant: own, status: String(x.status) });
    } else if (id && typeof x.kind === 'string' && x.requestedBy) {
      remember(m.principalRequests, { id, tenant: typeof x.tenant === 'string' ? own : null, status: String(x.status) });
    }
    for (const v of Object.values(x)) if (v && typeof v === 'object') walk(v, own);
  };
  walk(r.body, sent.tenant ?? (actor.tenantId ? (m.tenants.find((x) => x.id === actor.tenantId) ?? null) : null));
}
