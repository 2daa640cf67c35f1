import fc from 'fast-check';
import type { ActorState, Model, TenantState, TenantTarget } from './model.js';

/** 'approver': in commands that decide on an object, someone who may still approve it (see approverOf). */
export type ActorKind = 'operator' | 'operator2' | 'compliance' | 'admin' | 'service' | 'issued' | 'stranger' | 'approver';
export interface ActorPick {
  kind: ActorKind;
  i: number;
}
export type TenantKind = 'own' | 'run' | 'missing' | 'malformed';
export interface TenantPick {
  kind: TenantKind;
  i: number;
}

const n = fc.nat({ max: 1000 });

export const actorPick: fc.Arbitrary<ActorPick> = fc.record({
  kind: fc.oneof(
    { arbitrary: fc.constant<ActorKind>('operator'), weight: 4 },
    { arbitrary: fc.constant<ActorKind>('operator2'), weight: 2 },
    { arbitrary: fc.constant<ActorKind>('compliance'), weight: 2 },
    { arbitrary: fc.constant<ActorKind>('admin'), weight: 4 },
    { arbitrary: fc.constant<ActorKind>('service'), weight: 3 },
    { arbitrary: fc.constant<ActorKind>('issued'), weight: 1 },
    { arbitrary: fc.constant<ActorKind>('stranger'), weight: 1 },
  ),
  i: n,
});

/** Callers of the routes that decide (approvals, seals): principals who may decide come more often. */
export const deciderPick: fc.Arbitrary<ActorPick> = fc.record({
  kind: fc.oneof(
    { arbitrary: fc.constant<ActorKind>('approver'), weight: 8 },
    { arbitrary: fc.constant<ActorKind>('operator'), weight: 3 },
    { arbitrary: fc.constant<ActorKind>('operator2'), weight: 3 },
    { arbitrary: fc.constant<ActorKind>('compliance'), weight: 1 },
    { arbitrary: fc.constant<ActorKind>('admin'), weight: 6 },
    { arbitrary: fc.constant<ActorKind>('service'), weight: 1 },
    { arbitrary: fc.constant<ActorKind>('issued'), weight: 1 },
    { arbitrary: fc.constant<ActorKind>('stranger'), weight: 1 },
  ),
  i: n,
});

export const tenantPick: fc.Arbitrary<TenantPick> = fc.record({
  kind: fc.oneof(
    { arbitrary: fc.constant<TenantKind>('own'), weight: 5 },
    { arbitrary: fc.constant<TenantKind>('run'), weight: 5 },
    { arbitrary: fc.constant<TenantKind>('missing'), weight: 1 },
    { arbitrary: fc.constant<TenantKind>('malformed'), weight: 1 },
  ),
  i: n,
});

export function showActor(p: ActorPick): string {
  return p.kind === 'operator' || p.kind === 'operator2' || p.kind === 'compliance' ? p.kind : `${p.kind}#${p.i}`;
}

export function showTenant(p: TenantPick): string {
  return p.kind === 'own' ? `own(or T${p.i})` : p.kind === 'run' ? `T${p.i}` : `${p.kind}#${p.i}`;
}

export function resolveActor(m: Model, p: ActorPick): ActorState {
  const from = (list: ActorState[]) => list[p.i % list.length] as ActorState;
  switch (p.kind) {
    case 'operator':
      return m.operator;
    case 'operator2':
      return m.operator2;
    case 'compliance':
      return m.compliance;
    case 'admin':
      return from(m.admins);
    case 'service':
      return from(m.services);
    case 'issued':
      return m.issued.length ? from(m.issued) : from(m.admins);
    case 'stranger':
      return from(m.strangers);
    case 'approver':
      return m.operator2;
  }
}

/** Slugs that cannot name a tenant: wrong case, traversal, injection, too long, control bytes. */
const MALFORMED = ['UPPER', '..%2Fadmin', '%27%20OR%201%3D1--', 'a'.repeat(70), '%00', '-lead', '%2e%2e'];

export function resolveTenant(m: Model, p: TenantPick, actor: ActorState): TenantTarget {
  const run = m.tenants[p.i % m.tenants.length];
  switch (p.kind) {
    case 'own': {
      const t = actor.tenant ?? run;
      return { label: t?.slug ?? '?', segment: t?.slug ?? '', state: t ?? null };
    }
    case 'run':
      return { label: run?.slug ?? '?', segment: run?.slug ?? '', state: run ?? null };
    case 'missing':
      return { label: `missing-${p.i}`, segment: `missing-${m.run}-${p.i}`, state: null };
    case 'malformed': {
      const raw = MALFORMED[p.i % MALFORMED.length] as string;
      return { label: raw, segment: raw, state: null };
    }
  }
}

/**
 * In commands about one tenant's object, most admin or service picks (number not 3 mod 4) are
 * that tenant's own principal ("its admin"): approvals by the right client admin happen often.
 */
const its = (p: ActorPick) => (p.kind === 'admin' || p.kind === 'service') && p.i % 4 !== 3;

export function resolveActorNear(m: Model, p: ActorPick, t: TenantState | undefined, approvers: ActorState[] = []): ActorState {
  const k = t ? m.tenants.indexOf(t) : -1;
  if (p.kind === 'approver') return approvers[p.i % Math.max(approvers.length, 1)] ?? m.operator2;
  if (its(p) && k >= 0 && k < m.admins.length) {
    if (p.kind === 'admin') return m.admins[k] as ActorState;
    if (p.kind === 'service') return m.services[k] as ActorState;
  }
  return resolveActor(m, p);
}

/** The tenant's own client admin (first tenants of the run only), if any. */
export function adminOf(m: Model, t: TenantState | undefined): ActorState | undefined {
  const k = t ? m.tenants.indexOf(t) : -1;
  return k >= 0 ? m.admins[k] : undefined;
}

export function showActorNear(p: ActorPick): string {
  return p.kind === 'approver' ? 'an eligible approver' : its(p) ? `its ${p.kind}` : showActor(p);
}

/**
 * An object (change request, seal) named by id: a 'live' one (pending, or not yet lifted; any
 * when none is) or 'any' of the run, in its own tenant's path; one of another tenant under the caller's own (or
 * another) tenant's path ('foreign'); a UUID naming nothing ('missing'); or not a UUID.
 */
export type ObjectKind = 'live' | 'any' | 'foreign' | 'missing' | 'malformed';
export interface ObjectPick {
  kind: ObjectKind;
  i: number;
}

export const objectPick: fc.Arbitrary<ObjectPick> = fc.record({
  kind: fc.oneof(
    { arbitrary: fc.constant<ObjectKind>('live'), weight: 10 },
    { arbitrary: fc.constant<ObjectKind>('any'), weight: 2 },
    { arbitrary: fc.constant<ObjectKind>('foreign'), weight: 2 },
    { arbitrary: fc.constant<ObjectKind>('missing'), weight: 1 },
    { arbitrary: fc.constant<ObjectKind>('malformed'), weight: 1 },
  ),
  i: n,
});

const newest = (p: ObjectPick) => p.i % 4 !== 3;

export function showObject(what: string, p: ObjectPick): string {
  if (p.kind === 'live' || p.kind === 'any') return newest(p) ? `the newest ${p.kind} ${what}` : `${p.kind} ${what}#${p.i}`;
  return `${p.kind} ${what}#${p.i}`;
}

export interface ObjectTarget<T> {
  /** The object as the model knows it, when the id names one in the path's tenant. */
  object: T | null;
  /** The tenant the object belongs to (null: none), used to pick "its" principals. */
  owner: TenantState | undefined;
  /** Already URL-encoded id segment. */
  id: string;
}

/** The objects of the run with their tenant, in a stable order. */
function objectsOf<T>(m: Model, list: (t: TenantState) => T[]): { t: TenantState; o: T }[] {
  return m.tenants.flatMap((t) => list(t).map((o) => ({ t, o })));
}

/** Resolves the object first; the path's tenant (which may depend on the caller) comes after. */
export function resolveObject<T extends { id: string }>(
  m: Model,
  p: ObjectPick,
  list: (t: TenantState) => T[],
  live: (o: T) => boolean,
): ObjectTarget<T> {
  const all = objectsOf(m, list);
  const alive = all.filter((x) => live(x.o));
  const pool = p.kind === 'live' && alive.length ? alive : p.kind === 'live' || p.kind === 'any' ? all : [];
  // Mostly the newest, so that approvals gather on one object and complete it.
  const hit = pool[newest(p) ? pool.length - 1 : p.i % Math.max(pool.length, 1)];
  if (hit) return { object: hit.o, owner: hit.t, id: hit.o.id };
  if (p.kind === 'malformed') return { object: null, owner: undefined, id: p.i % 2 ? 'not-a-uuid' : '..%2F..%2Faudit' };
  return { object: null, owner: undefined, id: `00000000-0000-4000-8000-${String(p.i).padStart(12, '0')}` };
}

/**
 * The tenant in the path: the object's own; else the caller's own tenant (or run tenant i for
 * callers bound to none). A 'foreign' pick then takes an object of another tenant than that one.
 */
export function objectPath<T extends { id: string }>(
  m: Model,
  p: ObjectPick,
  actor: ActorState,
  target: ObjectTarget<T>,
  list: (t: TenantState) => T[],
): { tenant: TenantTarget; target: ObjectTarget<T> } {
  const path = target.owner ?? actor.tenant ?? (m.tenants[p.i % m.tenants.length] as TenantState);
  const tenant = { label: path.slug, segment: path.slug, state: path };
  if (p.kind !== 'foreign') return { tenant, target };
  const others = objectsOf(m, list).filter((x) => x.t !== path);
  const other = others[p.i % Math.max(others.length, 1)];
  return { tenant, target: other ? { object: null, owner: other.t, id: other.o.id } : target };
}
