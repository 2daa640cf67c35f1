import { isDeepStrictEqual } from 'node:util';
import type { KeyObject } from 'node:crypto';
import type { Agent } from 'node:http';
import type request from 'supertest';
import type { ChainVerifier } from '#audit-format';
import type { TestApp } from '../support/test-app.js';

export type Role = 'operator' | 'compliance' | 'client_admin' | 'service';
export const SPANNING: readonly Role[] = ['operator', 'compliance'];

export interface OptionState {
  isSet: boolean;
  value: unknown;
  version: number;
}

/** An audit event the model expects, compared field by field with the stored one. */
export interface ExpectedEvent {
  action: string;
  optionKey: string | null;
  after?: unknown;
}

/** A change request as the model expects it; approvals are principal ids with their role. */
export interface RequestState {
  id: string;
  key: string;
  change: { isSet: boolean; value?: unknown };
  contentHash: string;
  baseVersion: number;
  requester: string;
  need: Need;
  approvals: { principal: string; role: Role }[];
  status: 'pending' | 'applied' | 'rejected' | 'withdrawn';
}

/** Who must approve a change: one operator, and for critical options the tenant's client admin too. */
export interface Need {
  operator: boolean;
  clientAdmin: boolean;
}

export interface SealState {
  id: string;
  status: 'proposed' | 'active' | 'lifted';
  k: number;
  proposer: string;
  proposerRole: Role | null;
  approvals: { principal: string; role: Role; purpose: 'activate' | 'lift' }[];
}

export interface TenantState {
  id: string;
  slug: string;
  name: string;
  riskLevel: number;
  /** Unique string put in the tenant's name and values: finding it elsewhere is a leak. */
  marker: string;
  options: Map<string, OptionState>;
  /** Events before the run started (creation, its principals) and during it, in order. */
  initialEvents: number;
  events: ExpectedEvent[];
  /** Effective values each option had before (JSON), and when the tenant last changed (ms). */
  past: Map<string, Set<string>>;
  changedAt: number;
  requests: RequestState[];
  seals: SealState[];
  /** Whether it has a client admin: from then on an operator's invitation waits for one (202). */
  hasAdmin: boolean;
}

export interface ActorState {
  label: string;
  /** Authorization header sent; undefined = none. */
  authorization?: string;
  /** Null for callers that must be refused with 401. */
  role: Role | null;
  tenant: TenantState | null;
  principalId?: string;
}

/** What every tenant known to the service looks like to the leak scan. */
export interface KnownTenant {
  id: string;
  slug: string;
  marker: string;
}

/** State that outlives one model run: the service keeps it. */
export interface World {
  t: TestApp;
  /** Requests go to the service listening on a loopback port, over kept-alive connections. */
  http: ReturnType<typeof request>;
  agent: Agent;
  tenants: KnownTenant[];
  /**
   * What belongs to one tenant, with that tenant's id: its id, slug and marker, and the ids of
   * its principals, change requests and seals. Foreign to every other tenant.
   */
  owners: Map<string, string>;
  runs: number;
  stats: { commands: number; requests: number; checks: number; statuses: Record<number, number>; kinds: Record<string, number> };
  defaults: Map<string, unknown>;
  /** Each option's risk (low … critical), read from the catalog. */
  risks: Map<string, string>;
  checkEvery: number;
  /** Set once a command failed: the run is being shrunk. */
  shrinking: boolean;
  /** The audit signing key as the service publishes it. */
  auditKey: { key: KeyObject; fingerprint: string };
  /** Every audit event ever written, recomputed in order as it appears: the chains must hold. */
  chain: { verifier: ChainVerifier; seq: number };
}

export interface Model {
  run: number;
  tenants: TenantState[];
  operator: ActorState;
  /** A second operator: approves what the first requested, and the other way round. */
  operator2: ActorState;
  compliance: ActorState;
  /** Index i holds the client admin / service principal of tenants[i] (the run's first tenants). */
  admins: ActorState[];
  services: ActorState[];
  /** Principals issued during the run by commands. */
  issued: ActorState[];
  /** Callers that must get 401: no header, garbage, unknown token, wrong scheme. */
  strangers: ActorState[];
  /** Events without a tenant (principals that span tenants), in order. */
  globalEvents: ExpectedEvent[];
  baselineSeq: number;
  /** Audit events already compared with the model: highest seq, and count per tenant (null = cross-tenant). */
  checkedSeq: number;
  checked: Map<string | null, number>;
  counter: number;
  sinceCheck: number;
}

/**
 * Who may call which route, written from the role table of the product description rather
 * than read from the service: 'any' tenant, only its 'own', or 'none'; 'public' needs no token.
 * For a route about an object (change request, seal, principal) the tenant is the object's.
 * A new route is one line here plus one command.
 */
export type Access = 'any' | 'own' | 'none';
const roles = (operator: Access, compliance: Access, client_admin: Access, service: Access) => ({
  operator,
  compliance,
  client_admin,
  service,
});
export const ACCESS = {
  //                                operator   compliance  client_admin  service
  'tenants.create': roles('any', 'none', 'none', 'none'),
  'tenants.list': roles('any', 'any', 'none', 'none'),
  'tenants.get': roles('any', 'any', 'own', 'none'),
  'options.list': roles('any', 'any', 'own', 'own'),
  'options.get': roles('any', 'any', 'own', 'own'),
  'options.put': roles('any', 'none', 'none', 'none'),
  'options.delete': roles('any', 'none', 'none', 'none'),
  'principals.create': roles('any', 'none', 'none', 'none'),
  'principals.revoke': roles('any', 'none', 'none', 'none'),
  'principals.people': roles('any', 'none', 'own', 'none'),
  'invitations.create': roles('any', 'none', 'own', 'none'),
  'invitations.redeem': 'public',
  'principal_requests.list': roles('any', 'none', 'none', 'none'),
  'principal_requests.tenant_list': roles('any', 'none', 'own', 'none'),
  'change_requests.create': roles('any', 'none', 'none', 'none'),
  'change_requests.list': roles('any', 'any', 'own', 'none'),
  'change_requests.get': roles('any', 'any', 'own', 'none'),
  'change_requests.approve': roles('any', 'none', 'own', 'none'),
  'change_requests.reject': roles('any', 'none', 'own', 'none'),
  'change_requests.withdraw': roles('any', 'none', 'none', 'none'),
  'change_requests.edit': roles('any', 'none', 'none', 'none'),
  'bulk_changes.run': roles('any', 'none', 'none', 'none'),
  'seals.propose': roles('any', 'none', 'own', 'none'),
  'seals.list': roles('any', 'any', 'own', 'none'),
  'seals.get': roles('any', 'any', 'own', 'none'),
  'seals.approve': roles('any', 'none', 'own', 'none'),
  'seals.lift': roles('any', 'none', 'own', 'none'),
  'seals.verify': roles('any', 'any', 'own', 'none'),
  'seals.break_glass': roles('any', 'none', 'none', 'none'),
  'seals.break_glass_change': roles('any', 'none', 'none', 'none'),
  'reports.exposure': roles('any', 'any', 'none', 'none'),
  'reports.tenant_exposure': roles('any', 'any', 'own', 'none'),
  'audit.tenant': roles('any', 'any', 'own', 'none'),
  'audit.global': roles('any', 'any', 'none', 'none'),
  'audit.verify': roles('any', 'any', 'none', 'none'),
  'audit.tenant_verify': roles('any', 'any', 'own', 'none'),
  'audit.export': roles('any', 'any', 'none', 'none'),
  'audit.tenant_export': roles('any', 'any', 'own', 'none'),
  'audit.checkpoints': roles('any', 'any', 'none', 'none'),
  'audit.public_key': 'public',
  'registry.list': roles('any', 'any', 'any', 'any'),
  'registry.get': roles('any', 'any', 'any', 'any'),
  'presets.list': roles('any', 'any', 'any', 'any'),
  'presets.get': roles('any', 'any', 'any', 'any'),
  me: roles('any', 'any', 'any', 'any'),
  // OFREP evaluation: no tenant in the path, the token's own tenant is the target.
  'ofrep.bulk': roles('none', 'none', 'own', 'own'),
  'ofrep.flag': roles('none', 'none', 'own', 'own'),
} satisfies Record<string, Record<Role, Access> | 'public'>;
export type RouteName = keyof typeof ACCESS;

/** A tenant as a request names it: the path segment sent, and what it really is. */
export interface TenantTarget {
  label: string;
  /** Already URL-encoded path segment. */
  segment: string;
  state: TenantState | null;
}

/**
 * Status the policy layer must answer before anything else, or null when the request passes:
 * 401 without a valid token, 404 for a tenant the caller cannot see (never 403), then 403.
 */
export function gate(route: RouteName, actor: ActorState, target?: TenantTarget): number | null {
  const rule = ACCESS[route];
  if (rule === 'public') return null;
  if (!actor.role) return 401;
  const spans = SPANNING.includes(actor.role);
  if (target) {
    const visible = target.state !== null && (spans || target.state === actor.tenant);
    if (!visible) return 404;
  }
  const access: Access = rule[actor.role];
  if (access === 'any') return null;
  if (access === 'own' && target?.state && target.state === actor.tenant) return null;
  return 403;
}

export function optionState(t: TenantState, key: string): OptionState {
  return t.options.get(key) ?? { isSet: false, value: undefined, version: 0 };
}

export function effectiveValue(world: World, t: TenantState, key: string): unknown {
  const s = optionState(t, key);
  return s.isSet ? s.value : world.defaults.get(key);
}

/** The four-eyes rule as the product describes it, from the option's risk and the tenant's level. */
export function needOf(w: World, key: string, riskLevel: number): Need | null {
  const risk = w.risks.get(key);
  if (risk === 'critical') return { operator: true, clientAdmin: true };
  if (risk === 'high' || riskLevel >= 3) return { operator: true, clientAdmin: false };
  return null;
}

export function isSealed(t: TenantState): boolean {
  return t.seals.some((s) => s.status === 'active');
}

/** Whether setting (value) or resetting (undefined) `key` would leave the tenant as it is. */
export function isNoop(w: World, t: TenantState, key: string, change: { isSet: boolean; value?: unknown }): boolean {
  return change.isSet ? isDeepStrictEqual(effectiveValue(w, t, key), change.value) : !optionState(t, key).isSet;
}

/** A change the service applied: the new state, the one audit event it owes, and what OFREP may still show. */
export function applyChange(w: World, t: TenantState, key: string, change: { isSet: boolean; value?: unknown }): void {
  const before = optionState(t, key);
  t.past.set(key, (t.past.get(key) ?? new Set()).add(JSON.stringify(effectiveValue(w, t, key))));
  t.changedAt = Date.now();
  const value = change.isSet ? change.value : w.defaults.get(key);
  t.options.set(key, { isSet: change.isSet, value, version: before.version + 1 });
  t.events.push({ action: change.isSet ? 'option.set' : 'option.reset', optionKey: key, after: value });
}

/** A change request the service filed (from its view), with the audit event of its creation. */
export function fileRequest(
  w: World,
  t: TenantState,
  view: { id: string; contentHash: string; option: string; operation: string; value?: unknown; baseVersion: number },
  requester: ActorState,
): RequestState {
  const r: RequestState = {
    id: view.id,
    key: view.option,
    change: view.operation === 'set' ? { isSet: true, value: view.value } : { isSet: false },
    contentHash: view.contentHash,
    baseVersion: view.baseVersion,
    requester: requester.principalId ?? '',
    need: needOf(w, view.option, t.riskLevel) ?? { operator: true, clientAdmin: false },
    approvals: [],
    status: 'pending',
  };
  t.requests.push(r);
  t.events.push({ action: 'change_request.created', optionKey: view.option });
  w.owners.set(r.id, t.id);
  return r;
}

/** A tenant the service now holds: it and its names are foreign to every other tenant. */
export function knowTenant(w: World, t: KnownTenant): void {
  // The leak scan finds names by their shape (OWNED_TOKEN): a name of another shape would go unseen.
  if (!/^t[0-9a-f]{10}$/.test(t.slug) || !/^m[0-9a-f]{12}$/.test(t.marker))
    throw new Error(`tenant names of an unexpected shape: ${t.slug}, ${t.marker}`);
  w.tenants.push(t);
  for (const name of [t.id, t.slug, t.marker]) w.owners.set(name, t.id);
}
