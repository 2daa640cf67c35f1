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
  tenants: KnownTenant[];
  /** Ids of tenant-bound principals, with their tenant: foreign to every other tenant. */
  boundPrincipals: { id: string; tenantId: string }[];
  runs: number;
  stats: { commands: number; requests: number; checks: number; statuses: Record<number, number> };
  defaults: Map<string, unknown>;
  checkEvery: number;
}

export interface Model {
  run: number;
  tenants: TenantState[];
  operator: ActorState;
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
 * than read from the service: 'any' tenant, only its 'own', or 'none'. A new route is one line
 * here plus one command.
 */
export type Access = 'any' | 'own' | 'none';
export const ACCESS = {
  'tenants.create': { operator: 'any', compliance: 'none', client_admin: 'none', service: 'none' },
  'tenants.list': { operator: 'any', compliance: 'any', client_admin: 'none', service: 'none' },
  'tenants.get': { operator: 'any', compliance: 'any', client_admin: 'own', service: 'none' },
  'options.list': { operator: 'any', compliance: 'any', client_admin: 'own', service: 'own' },
  'options.get': { operator: 'any', compliance: 'any', client_admin: 'own', service: 'own' },
  'options.put': { operator: 'any', compliance: 'none', client_admin: 'none', service: 'none' },
  'options.delete': { operator: 'any', compliance: 'none', client_admin: 'none', service: 'none' },
  'principals.create': { operator: 'any', compliance: 'none', client_admin: 'none', service: 'none' },
  'audit.tenant': { operator: 'any', compliance: 'any', client_admin: 'own', service: 'none' },
  'audit.global': { operator: 'any', compliance: 'any', client_admin: 'none', service: 'none' },
  'registry.list': { operator: 'any', compliance: 'any', client_admin: 'any', service: 'any' },
  'registry.get': { operator: 'any', compliance: 'any', client_admin: 'any', service: 'any' },
  // OFREP evaluation: no tenant in the path, the token's own tenant is the target.
  'ofrep.bulk': { operator: 'none', compliance: 'none', client_admin: 'own', service: 'own' },
  'ofrep.flag': { operator: 'none', compliance: 'none', client_admin: 'own', service: 'own' },
} satisfies Record<string, Record<Role, Access>>;
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
  if (!actor.role) return 401;
  const spans = SPANNING.includes(actor.role);
  if (target) {
    const visible = target.state !== null && (spans || target.state === actor.tenant);
    if (!visible) return 404;
  }
  const access: Access = ACCESS[route][actor.role];
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
