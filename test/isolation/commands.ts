import fc from 'fast-check';
import type { Model, Role, World } from './model.js';
import { GetOption, ListOptions, WriteOption, type IfMatchKind, type ReasonKind, type WriteSpec } from './option-steps.js';
import {
  CreatePrincipal,
  CreateTenant,
  GetTenant,
  GlobalAudit,
  ListTenants,
  Registry,
  TenantAudit,
  type PrincipalTenantKind,
  type TenantBodyKind,
} from './other-steps.js';
import { Evaluate, OFREP_KEYS, type ContextTenant } from './ofrep-steps.js';
import { AuditChain, type ChainAction } from './audit-steps.js';
import { BulkChange, type BulkMode } from './bulk-steps.js';
import { actorPick, deciderPick, objectPick, tenantPick } from './picks.js';
import { Invite, OperatorRequests, RedeemUnknown, TenantPeople } from './people-steps.js';
import { RevokePrincipal, type RevokeKind } from './principal-steps.js';
import { Exposure, Me, Presets, PRESET_NAMES } from './read-steps.js';
import {
  ChangeRequestStep,
  EditRequest,
  RequestChange,
  type EditBodyKind,
  type RequestAction,
  type RequestBodyKind,
} from './request-steps.js';
import { BreakGlass, SealStep, type SealAction } from './seal-steps.js';
import { Step } from './step.js';
import { BOGUS_KEYS, MODEL_KEYS, VALUE_CASES } from './values.js';

const n = fc.nat({ max: 1000 });
const bogusKey = fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 });
const ifMatch = fc.oneof(
  { arbitrary: fc.constant<IfMatchKind>('none'), weight: 4 },
  { arbitrary: fc.constantFrom<IfMatchKind>('current', 'weak-current', 'star'), weight: 3 },
  { arbitrary: fc.constantFrom<IfMatchKind>('stale', 'garbage'), weight: 1 },
);
const reason = fc.oneof(
  { arbitrary: fc.constant<ReasonKind>('ok'), weight: 8 },
  { arbitrary: fc.constantFrom<ReasonKind>('short', 'blank', 'missing', 'number'), weight: 1 },
);
const extraField = fc.oneof({ arbitrary: fc.constant(false), weight: 12 }, { arbitrary: fc.constant(true), weight: 1 });

const writeSpec: fc.Arbitrary<WriteSpec> = fc.record({
  actor: actorPick,
  tenant: tenantPick,
  valueIndex: fc.nat({ max: VALUE_CASES.length - 1 }),
  bogusKey,
  ifMatch,
  reason,
  extraField,
});

/** Several requests at once, each on a different tenant: what one does must not reach another. */
export class Concurrently extends Step {
  constructor(readonly steps: Step[]) {
    super();
  }
  toString() {
    return `CONCURRENTLY [${this.steps.map(String).join(' | ')}]`;
  }
  async exec(m: Model, w: World) {
    await Promise.all(this.steps.map((s) => s.exec(m, w)));
  }
}

const concurrentWrites = fc.tuple(n, fc.array(fc.tuple(writeSpec, fc.boolean()), { minLength: 2, maxLength: 5 })).map(
  ([base, specs]) =>
    new Concurrently(
      specs.map(([s, put], k) => {
        // Distinct tenants by construction: consecutive run tenants.
        const spec = { ...s, tenant: { kind: 'run' as const, i: base + k }, bogusKey: false };
        return new WriteOption(put ? 'put' : 'delete', spec);
      }),
    ),
);

const roles: Role[] = ['operator', 'compliance', 'client_admin', 'service'];
const valueIndex = fc.nat({ max: VALUE_CASES.length - 1 });
const weighted = <T>(...options: [T, number][]) => fc.oneof(...options.map(([v, weight]) => ({ arbitrary: fc.constant(v), weight })));

const requestAction = weighted<RequestAction>(['approve', 5], ['get', 2], ['list', 1], ['reject', 1], ['withdraw', 1]);
const sealAction = weighted<SealAction>(['propose', 2], ['approve', 6], ['lift', 4], ['get', 1], ['verify', 1], ['list', 1]);
const chainAction = weighted<ChainAction>(['verify', 2], ['jsonl', 2], ['csv', 1], ['checkpoint', 1], ['public-key', 1]);
const revokeKind = weighted<RevokeKind>(['admin', 2], ['service', 2], ['issued', 2], ['self', 1], ['missing', 1], ['malformed', 1]);

/** Every route of the service, weighted towards the ones that change or read tenant data. */
export const COMMANDS: fc.Arbitrary<Step>[] = [
  writeSpec.map((s) => new WriteOption('put', s)),
  writeSpec.map((s) => new WriteOption('put', s)),
  writeSpec.map((s) => new WriteOption('put', s)),
  writeSpec.map((s) => new WriteOption('delete', s)),
  fc.tuple(actorPick, tenantPick, n, bogusKey).map(([a, t, k, b]) => new GetOption(a, t, k, b)),
  fc.tuple(actorPick, tenantPick, n, bogusKey).map(([a, t, k, b]) => new GetOption(a, t, k, b)),
  fc.tuple(actorPick, tenantPick).map(([a, t]) => new ListOptions(a, t)),
  fc.tuple(actorPick, tenantPick).map(([a, t]) => new GetTenant(a, t)),
  actorPick.map((a) => new ListTenants(a)),
  fc
    .tuple(
      actorPick,
      fc.oneof(
        { arbitrary: fc.constant<TenantBodyKind>('valid'), weight: 3 },
        fc.constantFrom<TenantBodyKind>('duplicate', 'bad-slug', 'risk-4', 'risk-string', 'no-name', 'extra-field'),
      ),
    )
    .map(([a, b]) => new CreateTenant(a, b)),
  fc
    .tuple(actorPick, fc.constantFrom(...roles), fc.constantFrom<PrincipalTenantKind>('none', 'run', 'run', 'missing', 'malformed'), n)
    .map(([a, r, t, i]) => new CreatePrincipal(a, r, t, i)),
  fc.tuple(actorPick, tenantPick, fc.integer({ min: 1, max: 30 })).map(([a, t, l]) => new TenantAudit(a, t, l)),
  fc.tuple(actorPick, tenantPick, fc.integer({ min: 1, max: 30 })).map(([a, t, l]) => new TenantAudit(a, t, l)),
  fc.tuple(actorPick, fc.option(tenantPick, { nil: null })).map(([a, f]) => new GlobalAudit(a, f)),
  fc
    .tuple(actorPick, fc.option(fc.constantFrom(...MODEL_KEYS, ...BOGUS_KEYS.slice(0, 2)), { nil: null }))
    .map(([a, k]) => new Registry(a, k)),
  concurrentWrites,
  ...[0, 1].map(() =>
    fc
      .tuple(
        actorPick,
        fc.oneof(
          { arbitrary: fc.constant<ContextTenant>('absent'), weight: 4 },
          fc.constantFrom<ContextTenant>('own-slug', 'own-id', 'foreign-slug', 'foreign-id', 'missing'),
        ),
        fc.nat({ max: 1000 }),
        fc.option(fc.constantFrom(...OFREP_KEYS), { nil: null }),
      )
      .map(([a, c, i, k]) => new Evaluate(a, c, i, k)),
  ),
  // Change control: requests filed directly, then decided on (writes above file them too).
  fc
    .tuple(actorPick, tenantPick, valueIndex, fc.boolean(), weighted<RequestBodyKind>(['ok', 8], ['other-tenant', 1], ['invalid', 1]))
    .map(([a, t, v, reset, b]) => new RequestChange(a, t, v, reset, b)),
  ...[0, 1].map(() => fc.tuple(deciderPick, requestAction, objectPick).map(([a, x, o]) => new ChangeRequestStep(a, x, o))),
  fc
    .tuple(
      actorPick,
      fc.array(tenantPick, { minLength: 1, maxLength: 4 }),
      valueIndex,
      fc.boolean(),
      weighted<BulkMode>(['apply', 3], ['dry-run', 1], ['stale', 1]),
    )
    .map(([a, t, v, reset, mode]) => new BulkChange(a, t, v, reset, mode)),
  ...[0, 1, 2].map(() =>
    fc.tuple(deciderPick, sealAction, objectPick, fc.constantFrom(2, 2, 3)).map(([a, x, o, k]) => new SealStep(a, x, o, k)),
  ),
  // The whole log (no tenant) is read by one in five: it grows with every run.
  fc.tuple(actorPick, chainAction, fc.option(tenantPick, { nil: null, freq: 5 })).map(([a, x, t]) => new AuditChain(a, x, t)),
  fc.tuple(actorPick, revokeKind, n).map(([a, k, i]) => new RevokePrincipal(a, k, i)),
  fc
    .tuple(deciderPick, objectPick, valueIndex, weighted<EditBodyKind>(['ok', 4], ['invalid', 1]))
    .map(([a, o, v, b]) => new EditRequest(a, o, v, b)),
  fc.tuple(deciderPick, objectPick, fc.boolean()).map(([a, o, c]) => new BreakGlass(a, o, c)),
  // The whole report (no tenant) is read by one in five: it grows with every run.
  fc.tuple(actorPick, fc.option(tenantPick, { nil: null, freq: 5 })).map(([a, t]) => new Exposure(a, t)),
  fc.tuple(actorPick, fc.option(fc.constantFrom(...PRESET_NAMES), { nil: null })).map(([a, p]) => new Presets(a, p)),
  actorPick.map((a) => new Me(a)),
  // People: who belongs to a tenant, invitations (redeemed by the invitee from its mailbox), requests.
  fc.tuple(actorPick, tenantPick, fc.boolean()).map(([a, t, r]) => new TenantPeople(a, t, r)),
  actorPick.map((a) => new OperatorRequests(a)),
  fc
    .tuple(actorPick, tenantPick, weighted<'admin' | 'operator' | 'none'>(['admin', 3], ['operator', 1], ['none', 1]))
    .map(([a, t, x]) => new Invite(a, t, x)),
  fc.constant(null).map(() => new RedeemUnknown()),
];
