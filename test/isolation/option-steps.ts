import { isDeepStrictEqual } from 'node:util';
import { call, expectStatus, fail, scan, type Reply } from './http.js';
import {
  applyChange,
  effectiveValue,
  gate,
  isNoop,
  isSealed,
  needOf,
  optionState,
  type Model,
  type TenantState,
  type World,
} from './model.js';
import { resolveActor, resolveTenant, showActor, showTenant, type ActorPick, type TenantPick } from './picks.js';
import { Step } from './step.js';
import { expectFiled } from './request-steps.js';
import { BOGUS_KEYS, VALUE_CASES, type ValueCase } from './values.js';

export type IfMatchKind = 'none' | 'current' | 'weak-current' | 'stale' | 'star' | 'garbage';
export type ReasonKind = 'ok' | 'short' | 'blank' | 'missing' | 'number';

const REASONS: Record<ReasonKind, unknown> = { ok: 'routine change', short: 'ab', blank: '     ', missing: undefined, number: 42 };

function ifMatchHeader(kind: IfMatchKind, version: number): Record<string, string> {
  switch (kind) {
    case 'none':
      return {};
    case 'current':
      return { 'if-match': `"${version}"` };
    case 'weak-current':
      return { 'if-match': `W/"${version}"` };
    case 'stale':
      return { 'if-match': `"${version + 1}"` };
    case 'star':
      return { 'if-match': '*' };
    case 'garbage':
      return { 'if-match': 'not-an-etag' };
  }
}

export function keyOf(keyIndex: number, bogus: boolean): string {
  return bogus ? (BOGUS_KEYS[keyIndex % BOGUS_KEYS.length] as string) : (VALUE_CASES[keyIndex % VALUE_CASES.length] as ValueCase).key;
}

/** Checks an option view against the model: value, source, version, and the ETag. */
function expectView(w: World, r: Reply, t: TenantState, key: string): void {
  const s = optionState(t, key);
  const b = r.body as { key: string; value: unknown; source: string; version: number };
  if (b.key !== key || b.version !== s.version || b.source !== (s.isSet ? 'tenant' : 'default'))
    fail(`view of ${key} differs from the model (version ${s.version}, set ${s.isSet})`, r);
  if (!isDeepStrictEqual(b.value, effectiveValue(w, t, key))) fail(`value of ${key} differs from the model`, r);
  if (r.headers.etag !== undefined && r.headers.etag !== `"${s.version}"`) fail(`ETag is not "${s.version}"`, r);
}

export class ListOptions extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly tenant: TenantPick,
  ) {
    super();
  }
  toString() {
    return `GET ${showTenant(this.tenant)}/options as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const target = resolveTenant(m, this.tenant, actor);
    const r = await call(w, actor, 'get', `/v1/tenants/${target.segment}/options`);
    scan(w, r, actor, target.state);
    expectStatus(r, gate('options.list', actor, target) ?? 200);
    if (r.status !== 200 || !target.state) return;
    const t = target.state;
    if (!Array.isArray(r.body) || r.body.length !== w.defaults.size) fail('list does not hold every registry option', r);
    for (const item of r.body as { key: string }[]) {
      expectView(w, { ...r, body: item, headers: {} }, t, item.key);
    }
  }
}

export class GetOption extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly tenant: TenantPick,
    readonly keyIndex: number,
    readonly bogusKey: boolean,
  ) {
    super();
  }
  toString() {
    return `GET ${showTenant(this.tenant)}/options/${keyOf(this.keyIndex, this.bogusKey)} as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const target = resolveTenant(m, this.tenant, actor);
    const key = keyOf(this.keyIndex, this.bogusKey);
    const r = await call(w, actor, 'get', `/v1/tenants/${target.segment}/options/${key}`);
    scan(w, r, actor, target.state);
    expectStatus(r, gate('options.get', actor, target) ?? (this.bogusKey ? 404 : 200));
    if (r.status === 200 && target.state) expectView(w, r, target.state, key);
  }
}

export interface WriteSpec {
  actor: ActorPick;
  tenant: TenantPick;
  /** Index into VALUE_CASES (PUT) or key index (DELETE). */
  valueIndex: number;
  bogusKey: boolean;
  ifMatch: IfMatchKind;
  reason: ReasonKind;
  extraField: boolean;
}

/** PUT (set) or DELETE (reset to default) of one option, in the order the service must judge it. */
export class WriteOption extends Step {
  constructor(
    readonly kind: 'put' | 'delete',
    readonly s: WriteSpec,
  ) {
    super();
  }

  private valueCase(): ValueCase {
    return VALUE_CASES[this.s.valueIndex % VALUE_CASES.length] as ValueCase;
  }

  toString() {
    const key = keyOf(this.s.valueIndex, this.s.bogusKey);
    const value = this.kind === 'put' ? ` = ${this.valueCase().label}${this.valueCase().valid ? '' : ' (invalid)'}` : '';
    const extra = this.s.extraField ? ' +unknownField' : '';
    return `${this.kind.toUpperCase()} ${showTenant(this.s.tenant)}/options/${key}${value} If-Match:${this.s.ifMatch} reason:${this.s.reason}${extra} as ${showActor(this.s.actor)}`;
  }

  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.s.actor);
    const target = resolveTenant(m, this.s.tenant, actor);
    const key = keyOf(this.s.valueIndex, this.s.bogusKey);
    const t = target.state;
    const before = t ? optionState(t, key) : { isSet: false, value: undefined, version: 0 };
    const value =
      this.kind === 'put' && t ? this.valueCase().make(t) : this.kind === 'put' ? this.valueCase().make({ marker: 'none' }) : undefined;
    const body: Record<string, unknown> = {};
    if (this.kind === 'put') body.value = value;
    if (REASONS[this.s.reason] !== undefined) body.reason = REASONS[this.s.reason];
    if (this.s.extraField) body.tenantId = m.tenants[0]?.id;
    const r = await call(
      w,
      actor,
      this.kind,
      `/v1/tenants/${target.segment}/options/${key}`,
      body,
      ifMatchHeader(this.s.ifMatch, before.version),
    );
    scan(w, r, actor, t);

    const expected = this.expected(w, actor, target, key, value);
    expectStatus(r, expected.status);
    // Filed as a pending change request: one audit event, the value does not move.
    if (expected.status === 202 && t) return void expectFiled(w, r, t, actor);
    if (expected.status !== 200 || !t) return;
    if (expected.change) applyChange(w, t, key, this.kind === 'put' ? { isSet: true, value } : { isSet: false });
    expectView(w, r, t, key);
  }

  private expected(
    w: World,
    actor: ReturnType<typeof resolveActor>,
    target: ReturnType<typeof resolveTenant>,
    key: string,
    value: unknown,
  ) {
    const denied = gate(this.kind === 'put' ? 'options.put' : 'options.delete', actor, target);
    if (denied) return { status: denied };
    if (this.s.reason !== 'ok' || this.s.extraField) return { status: 400 };
    if (this.s.ifMatch === 'garbage') return { status: 400 };
    if (this.s.bogusKey) return { status: 404 };
    if (this.kind === 'put' && !this.valueCase().valid) return { status: 400 };
    const t = target.state as TenantState;
    if (isSealed(t)) return { status: 423 };
    if (this.s.ifMatch === 'stale') return { status: 412 };
    const unchanged = isNoop(w, t, key, this.kind === 'put' ? { isSet: true, value } : { isSet: false });
    if (!unchanged && needOf(w, key, t.riskLevel)) return { status: 202 };
    return { status: 200, change: !unchanged };
  }
}
