import fc from 'fast-check';
import type { ActorState, Model, TenantTarget } from './model.js';

export type ActorKind = 'operator' | 'compliance' | 'admin' | 'service' | 'issued' | 'stranger';
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
    { arbitrary: fc.constant<ActorKind>('compliance'), weight: 2 },
    { arbitrary: fc.constant<ActorKind>('admin'), weight: 4 },
    { arbitrary: fc.constant<ActorKind>('service'), weight: 3 },
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
  return p.kind === 'operator' || p.kind === 'compliance' ? p.kind : `${p.kind}#${p.i}`;
}

export function showTenant(p: TenantPick): string {
  return p.kind === 'own' ? `own(or T${p.i})` : p.kind === 'run' ? `T${p.i}` : `${p.kind}#${p.i}`;
}

export function resolveActor(m: Model, p: ActorPick): ActorState {
  const from = (list: ActorState[]) => list[p.i % list.length] as ActorState;
  switch (p.kind) {
    case 'operator':
      return m.operator;
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
