import { isDeepStrictEqual } from 'node:util';
import { call, expectStatus, fail, scan } from './http.js';
import { effectiveValue, gate, optionState, type Model, type TenantState, type World } from './model.js';
import { resolveActor, showActor, type ActorPick } from './picks.js';
import { Step } from './step.js';
import { BOGUS_KEYS, MODEL_KEYS } from './values.js';

export type ContextTenant = 'absent' | 'own-slug' | 'own-id' | 'foreign-slug' | 'foreign-id' | 'missing';

/** Evaluations may trail a change by the notification delay; the service promises under 1 s. */
const STALE_WINDOW_MS = 1000;

/**
 * OFREP evaluation (bulk, or one flag) by the token's own tenant: the values are that tenant's,
 * never another's; naming another tenant in the context is refused like naming none that exists.
 */
export class Evaluate extends Step {
  constructor(
    readonly actor: ActorPick,
    readonly context: ContextTenant,
    readonly i: number,
    readonly key: string | null,
  ) {
    super();
  }
  toString() {
    return `POST /ofrep/v1/evaluate/flags${this.key ? `/${this.key}` : ''} context.tenant=${this.context} as ${showActor(this.actor)}`;
  }
  async exec(m: Model, w: World) {
    const actor = resolveActor(m, this.actor);
    const own = actor.tenant;
    const others = m.tenants.filter((t) => t !== own);
    const foreign = others[this.i % others.length] as TenantState;
    const named = {
      absent: undefined,
      'own-slug': own?.slug ?? foreign.slug,
      'own-id': own?.id ?? foreign.id,
      'foreign-slug': foreign.slug,
      'foreign-id': foreign.id,
      missing: `missing-${m.run}-${this.i}`,
    }[this.context];
    const body =
      named === undefined
        ? { context: { targetingKey: `voter-${this.i}` } }
        : { context: { targetingKey: `voter-${this.i}`, tenant: named } };
    const r = await call(w, actor, 'post', `/ofrep/v1/evaluate/flags${this.key ? `/${this.key}` : ''}`, body);
    scan(w, r, actor);

    const denied = gate(
      this.key ? 'ofrep.flag' : 'ofrep.bulk',
      actor,
      own ? { label: own.slug, segment: own.slug, state: own } : undefined,
    );
    const namesOwn = named === undefined || named === own?.slug || named === own?.id;
    // A single flag with no value to give (empty, with an empty default) is an OFREP failure: 400.
    const empty = own && this.key && w.defaults.has(this.key) && ofrepValue(w, this.key, effectiveValue(w, own, this.key)) === undefined;
    const status = denied ?? (!namesOwn ? 400 : this.key && !w.defaults.has(this.key) ? 404 : empty ? 400 : 200);
    expectStatus(r, status);
    if (status !== 200 || !own) return;
    const flags = this.key ? [r.body] : (r.body as { flags: unknown[] }).flags;
    if (!this.key && flags.length !== w.defaults.size)
      fail(`bulk evaluation holds ${flags.length} flags, the registry ${w.defaults.size}`, r);
    const fresh = Date.now() - own.changedAt > STALE_WINDOW_MS;
    for (const f of flags as { key: string; value?: unknown; variant?: string; errorCode?: string }[]) {
      const want = ofrepValue(w, f.key, effectiveValue(w, own, f.key));
      if (
        want === undefined
          ? f.errorCode === 'GENERAL' && !('value' in f)
          : isDeepStrictEqual(f.value, want) && f.variant === (optionState(own, f.key).isSet ? 'tenant' : 'default')
      )
        continue;
      const past = [...(own.past.get(f.key) ?? [])].map((j) => ofrepValue(w, f.key, JSON.parse(j)));
      const recent = !fresh && past.some((v) => isDeepStrictEqual(v, f.value));
      if (!recent) fail(`flag ${f.key} evaluates to ${JSON.stringify(f.value)} (${f.variant}), the model says ${JSON.stringify(want)}`, r);
    }
  }
}

/**
 * What OFREP serves for an option's effective value, as docs/evaluation.md states it: lists as
 * `{"items": [...]}`, an empty value as the option's default, nothing (undefined) when both are empty.
 */
function ofrepValue(w: World, key: string, value: unknown): unknown {
  const v = value === null ? w.defaults.get(key) : value;
  if (v === null || v === undefined) return undefined;
  return Array.isArray(v) ? { items: v } : v;
}

export const OFREP_KEYS = [...MODEL_KEYS, BOGUS_KEYS[0] as string];
