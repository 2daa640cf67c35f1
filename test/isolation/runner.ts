import fc from 'fast-check';
import { Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ChainVerifier, GLOBAL_CHAIN, parsePublicKey } from '#audit-format';
import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, outboxCode, type TestApp } from '../support/test-app.js';
import { COMMANDS } from './commands.js';
import { call } from './http.js';
import { checkInvariants } from './invariants.js';
import { knowTenant, type ActorState, type Model, type Role, type TenantState, type World } from './model.js';
import { hex, newTenantIdentity, tenantState } from './other-steps.js';
import { catalogDefaults, catalogRisks } from './values.js';

export const TENANTS_PER_RUN = 20;

export async function newWorld(t: TestApp, checkEvery = 1): Promise<World> {
  // Listening once and keeping connections alive spares a listen, a connect and a close per request.
  const server = t.app.getHttpServer() as Server;
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const http = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const agent = new Agent({ keepAlive: true });
  const published = await http.get('/v1/audit/public-key').agent(agent);
  if (published.status !== 200) throw new Error(`setting up: public key ${published.status}`);
  const key = parsePublicKey(published.body.publicKey);
  return {
    t,
    http,
    agent,
    tenants: [],
    owners: new Map(),
    runs: 0,
    stats: { commands: 0, requests: 0, checks: 0, statuses: {}, kinds: {} },
    defaults: catalogDefaults(),
    risks: catalogRisks(),
    checkEvery,
    shrinking: false,
    auditKey: { key, fingerprint: published.body.fingerprint },
    chain: { verifier: new ChainVerifier({ mode: 'global', chain: GLOBAL_CHAIN, publicKey: key }), seq: 0 },
  };
}

const bootstrap: ActorState = { label: 'bootstrap operator', authorization: `Bearer ${OPERATOR_TOKEN}`, role: 'operator', tenant: null };

const bootstrap2: ActorState = {
  label: 'second bootstrap operator',
  authorization: `Bearer ${OPERATOR_TOKEN_2}`,
  role: 'operator',
  tenant: null,
};

/**
 * A principal the way people get one: a client admin by invitation (its own person), an
 * operator requested by the first bootstrap operator and approved by the second, others directly.
 */
async function issue(w: World, role: Role, t: TenantState | null): Promise<ActorState> {
  const label = `${role}@${t?.slug ?? 'all'}`;
  if (role === 'client_admin' && t) {
    const email = `admin-${w.runs}@${t.slug}.example`;
    // The tenant's first person: the first operator invites, the second approves.
    const inv = await call(w, bootstrap, 'post', `/v1/tenants/${t.slug}/invitations`, { email, name: `${role} of ${t.slug}` });
    if (inv.status !== 202) throw new Error(`setting up: ${inv.describe}`);
    const ok = await call(w, bootstrap2, 'post', `/v1/tenants/${t.slug}/principal-requests/${inv.body.id}/approve`, {});
    if (ok.status !== 200) throw new Error(`setting up: ${ok.describe}`);
    w.owners.set(inv.body.id, t.id);
    const r = await call(w, { label: 'invitee', role: null, tenant: null }, 'post', '/v1/invitations/redeem', {
      code: outboxCode(w.t, email),
    });
    if (r.status !== 201) throw new Error(`setting up: ${r.describe}`);
    w.owners.set(r.body.id, t.id);
    return { label, authorization: `Bearer ${r.body.token}`, role, tenant: t, principalId: r.body.id };
  }
  if (role === 'operator') {
    const req = await call(w, bootstrap, 'post', '/v1/principals', { name: `${role} of all`, role });
    const ok = await call(w, bootstrap2, 'post', `/v1/principal-requests/${req.body.id}/approve`, {});
    const r = await call(w, bootstrap, 'post', `/v1/principal-requests/${req.body.id}/token`, {});
    if (req.status !== 202 || ok.status !== 200 || r.status !== 201) throw new Error(`setting up: ${r.describe}`);
    return { label, authorization: `Bearer ${r.body.token}`, role, tenant: t, principalId: r.body.id };
  }
  const r = await call(w, bootstrap, 'post', '/v1/principals', {
    name: `${role} of ${t?.slug ?? 'all'}`,
    role,
    ...(t ? { tenant: t.slug } : {}),
  });
  if (r.status !== 201) throw new Error(`setting up: ${r.describe}`);
  if (t) w.owners.set(r.body.id, t.id);
  return { label, authorization: `Bearer ${r.body.token}`, role, tenant: t, principalId: r.body.id };
}

/** The second bootstrap operator: another person than the first, whose operators are the first's. */
async function secondOperator(w: World): Promise<ActorState> {
  const me = await call(w, bootstrap2, 'get', '/v1/me');
  if (me.status !== 200) throw new Error(`setting up: ${me.describe}`);
  return { ...bootstrap2, principalId: me.body.id };
}

/**
 * A model run starts with 20 new tenants of mixed risk levels, each with a client admin and a
 * service principal, plus two operators and a compliance reviewer; tenants of earlier runs stay,
 * as foreign tenants.
 */
export async function setupRun(w: World): Promise<{ model: Model; real: World }> {
  const run = ++w.runs;
  const tenants = await Promise.all(
    Array.from({ length: TENANTS_PER_RUN }, async (_, k) => {
      const id = newTenantIdentity();
      const r = await call(w, bootstrap, 'post', '/v1/tenants', { slug: id.slug, name: id.name, riskLevel: 1 + ((run + k) % 3) });
      if (r.status !== 201) throw new Error(`setting up: ${r.describe}`);
      // tenant.created; principal.requested, invitation.created, principal.request_approved, principal.created,
      // invitation.redeemed (client admin); principal.created (service)
      return tenantState(r.body, id.marker, 7);
    }),
  );
  for (const t of tenants) knowTenant(w, t);
  const [operator, operator2, compliance] = await Promise.all([
    issue(w, 'operator', null),
    secondOperator(w),
    issue(w, 'compliance', null),
  ]);
  const admins = await Promise.all(tenants.map((t) => issue(w, 'client_admin', t)));
  for (const t of tenants) t.hasAdmin = true;
  const services = await Promise.all(tenants.map((t) => issue(w, 'service', t)));
  const baselineSeq = await w.t.superuser(async (c) => Number((await c.query('SELECT max(seq) AS s FROM audit_events')).rows[0].s));
  const stranger = (label: string, authorization?: string): ActorState => ({ label, authorization, role: null, tenant: null });
  const model: Model = {
    run,
    tenants,
    operator: operator as ActorState,
    operator2: { ...(operator2 as ActorState), label: 'second operator' },
    compliance: compliance as ActorState,
    admins,
    services,
    issued: [],
    strangers: [
      stranger('no token'),
      stranger('garbage token', 'Bearer x'),
      stranger('unknown token', `Bearer cln_${hex(32)}`),
      stranger('basic auth', `Basic ${Buffer.from('operator:secret').toString('base64')}`),
      stranger('token of a tenant id', `Bearer ${tenants[0]?.id}`),
    ],
    globalEvents: [],
    baselineSeq,
    checkedSeq: baselineSeq,
    checked: new Map(),
    counter: 0,
    sinceCheck: 0,
  };
  await checkInvariants(model, w);
  return { model, real: w };
}

export interface ModelRunOptions {
  /** Stop once this many commands have run (each run adds up to `commandsPerRun`). */
  minCommands: number;
  commandsPerRun: number;
  seed: number;
  /**
   * Time a model run may take, shrinking a failure included: shrinking stops there and the
   * smallest failing list of commands found so far is reported.
   */
  runBudgetMs: number;
}

/**
 * Runs model runs until `minCommands` commands have been executed. Run k uses seed `seed + k`;
 * a failure throws fast-check's report: the seed, the path and the shrunk list of commands.
 */
export async function runIsolationModel(w: World, o: ModelRunOptions): Promise<{ runs: number }> {
  let k = 0;
  while (w.stats.commands < o.minCommands) {
    w.shrinking = false;
    await fc.assert(
      fc.asyncProperty(fc.commands(COMMANDS, { maxCommands: o.commandsPerRun, size: 'max' }), async (cmds) => {
        let model: Model | undefined;
        await fc.asyncModelRun(async () => {
          const s = await setupRun(w);
          model = s.model;
          return s;
        }, cmds);
        if (model) await checkInvariants(model, w);
      }),
      { seed: o.seed + k, numRuns: 1, endOnFailure: false, interruptAfterTimeLimit: o.runBudgetMs, markInterruptAsFailure: true },
    );
    k++;
  }
  return { runs: k };
}

/** What a run exercised: counts of commands, requests, statuses, and of what the service recorded. */
export async function summary(w: World): Promise<string[]> {
  const recorded = await w.t.superuser(
    async (c) =>
      (await c.query<{ action: string; n: string }>('SELECT action, count(*) AS n FROM audit_events GROUP BY action ORDER BY action')).rows,
  );
  return [
    `commands executed: ${w.stats.commands}`,
    `requests sent: ${w.stats.requests}`,
    `database checks against the model: ${w.stats.checks}`,
    `statuses: ${JSON.stringify(w.stats.statuses)}`,
    `commands by kind: ${JSON.stringify(w.stats.kinds)}`,
    `audit events by action: ${JSON.stringify(Object.fromEntries(recorded.map((r) => [r.action, Number(r.n)])))}`,
    `tenants created: ${w.tenants.length}`,
  ];
}
