import type request from 'supertest';
import { ed25519Key } from '../support/approval-keys.js';
import { listRoutes } from '../support/routes.js';
import {
  OPERATOR_TOKEN,
  OPERATOR_TOKEN_2,
  createPrincipal,
  outboxCode,
  createTenant,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

const CRED = 'admin_can_view_credentials';

/**
 * Every route that may write (anything but GET) must be listed here with a call that tries to
 * change the critical option `admin_can_view_credentials` through it. A route added later
 * without an entry fails the first test; each entry must leave the option untouched.
 */
type Exercise = (x: { t: TestApp; op2: string; clientA: string; sealed: string; serviceA: string }) => Promise<request.Response>;

async function pendingRequest(t: TestApp, tenant: string) {
  const res = await t
    .as(OPERATOR_TOKEN)
    .post(`/v1/tenants/${tenant}/change-requests`)
    .send({ option: CRED, operation: 'set', value: true, reason: 'gate coverage' });
  if (res.status !== 201) throw new Error(`request: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; contentHash: string };
}

const EXERCISES: Record<string, { expect: number[]; run: Exercise }> = {
  'POST /v1/tenants': {
    // Presets are linted to hold critical options at their safe value only; values cannot be passed inline.
    expect: [201],
    run: async ({ t }) => {
      const inline = await t
        .as(OPERATOR_TOKEN)
        .post('/v1/tenants')
        .send({ slug: 'gate-inline', name: 'New', riskLevel: 1, options: { [CRED]: true } });
      if (inline.status !== 400) throw new Error(`inline option values accepted: ${inline.status}`);
      return t.as(OPERATOR_TOKEN).post('/v1/tenants').send({ slug: 'gate-new', name: 'New', riskLevel: 1, preset: 'association-level-1' });
    },
  },
  'POST /v1/bulk-changes': {
    expect: [400],
    run: ({ t }) =>
      t
        .as(OPERATOR_TOKEN)
        .post('/v1/bulk-changes')
        .send({ option: CRED, operation: 'set', value: true, tenants: ['gate-a'], reason: 'gate coverage', planHash: 'a'.repeat(64) }),
  },
  'POST /v1/principals': {
    expect: [201],
    run: ({ t }) => t.as(OPERATOR_TOKEN).post('/v1/principals').send({ name: 'x', role: 'service', tenant: 'gate-a' }),
  },
  // Revoking a principal stops its token; it touches no option value.
  'POST /v1/principals/:id/revoke': {
    expect: [200],
    run: async ({ t }) => {
      const created = await t.as(OPERATOR_TOKEN).post('/v1/principals').send({ name: 'to revoke', role: 'service', tenant: 'gate-a' });
      if (created.status !== 201) throw new Error(`principal: ${created.status} ${JSON.stringify(created.body)}`);
      return t.as(OPERATOR_TOKEN).post(`/v1/principals/${created.body.id}/revoke`);
    },
  },
  // Who may act changes; no option value does.
  'POST /v1/principal-requests/:id/approve': {
    expect: [200],
    run: async ({ t, op2 }) => {
      const req = await t.as(OPERATOR_TOKEN).post('/v1/principals').send({ name: 'new operator', role: 'operator' });
      return t.as(op2).post(`/v1/principal-requests/${req.body.id}/approve`).send({});
    },
  },
  'POST /v1/principal-requests/:id/token': {
    expect: [201],
    run: async ({ t, op2 }) => {
      const req = await t.as(OPERATOR_TOKEN).post('/v1/principals').send({ name: 'collected operator', role: 'operator' });
      await t.as(op2).post(`/v1/principal-requests/${req.body.id}/approve`).send({});
      return t.as(OPERATOR_TOKEN).post(`/v1/principal-requests/${req.body.id}/token`).send({});
    },
  },
  'POST /v1/tenants/:tenant/invitations': {
    expect: [202],
    run: ({ t }) => t.as(OPERATOR_TOKEN).post('/v1/tenants/gate-a/invitations').send({ email: 'gate@gate-a.example', name: 'Gate' }),
  },
  'POST /v1/tenants/:tenant/principal-requests/:id/approve': {
    expect: [200],
    run: async ({ t, clientA }) => {
      const req = await t.as(OPERATOR_TOKEN).post('/v1/tenants/gate-a/invitations').send({ email: 'gate2@gate-a.example', name: 'Gate 2' });
      return t.as(clientA).post(`/v1/tenants/gate-a/principal-requests/${req.body.id}/approve`).send({});
    },
  },
  'POST /v1/invitations/redeem': {
    expect: [201],
    run: ({ t }) => t.http.post('/v1/invitations/redeem').send({ code: outboxCode(t, 'gate2@gate-a.example') }),
  },
  'PUT /v1/tenants/:tenant/options/:key': {
    expect: [202],
    run: ({ t }) => t.as(OPERATOR_TOKEN).put(`/v1/tenants/gate-a/options/${CRED}`).send({ value: true, reason: 'gate coverage' }),
  },
  'DELETE /v1/tenants/:tenant/options/:key': {
    expect: [202],
    run: ({ t }) => t.as(OPERATOR_TOKEN).delete(`/v1/tenants/gate-exposed/options/${CRED}`).send({ reason: 'gate coverage' }),
  },
  'POST /v1/tenants/:tenant/change-requests': {
    expect: [201],
    run: ({ t }) =>
      t
        .as(OPERATOR_TOKEN)
        .post('/v1/tenants/gate-a/change-requests')
        .send({ option: CRED, operation: 'set', value: true, reason: 'gate coverage' }),
  },
  'PATCH /v1/tenants/:tenant/change-requests/:id': {
    expect: [200],
    run: async ({ t }) => {
      const r = await pendingRequest(t, 'gate-a');
      return t.as(OPERATOR_TOKEN).patch(`/v1/tenants/gate-a/change-requests/${r.id}`).send({ value: true, reason: 'edited' });
    },
  },
  'POST /v1/tenants/:tenant/change-requests/:id/approve': {
    // One operator's approval is not client consent: the request stays pending.
    expect: [200],
    run: async ({ t, op2 }) => {
      const r = await pendingRequest(t, 'gate-a');
      return t.as(op2).post(`/v1/tenants/gate-a/change-requests/${r.id}/approve`).send({ contentHash: r.contentHash });
    },
  },
  'POST /v1/tenants/:tenant/change-requests/:id/reject': {
    expect: [200],
    run: async ({ t, clientA }) => {
      const r = await pendingRequest(t, 'gate-a');
      return t.as(clientA).post(`/v1/tenants/gate-a/change-requests/${r.id}/reject`).send({ reason: 'not now' });
    },
  },
  'POST /v1/tenants/:tenant/change-requests/:id/withdraw': {
    expect: [200],
    run: async ({ t }) => {
      const r = await pendingRequest(t, 'gate-a');
      return t.as(OPERATOR_TOKEN).post(`/v1/tenants/gate-a/change-requests/${r.id}/withdraw`).send({ reason: 'not now' });
    },
  },
  'POST /v1/tenants/:tenant/seals': {
    expect: [201],
    run: ({ t }) => t.as(OPERATOR_TOKEN).post('/v1/tenants/gate-a/seals').send({ label: 'coverage seal' }),
  },
  'POST /v1/tenants/:tenant/seals/:id/approve': {
    expect: [200],
    run: async ({ t, op2 }) => {
      const s = await t.as(OPERATOR_TOKEN).post('/v1/tenants/gate-a/seals').send({ label: 'coverage seal' });
      return t.as(op2).post(`/v1/tenants/gate-a/seals/${s.body.id}/approve`);
    },
  },
  'POST /v1/tenants/:tenant/seals/:id/lift': {
    expect: [200],
    run: ({ t, op2, sealed }) => t.as(op2).post(`/v1/tenants/gate-sealed/seals/${sealed}/lift`).send({ reason: 'coverage lift' }),
  },
  'POST /v1/tenants/:tenant/seals/:id/break-glass': {
    expect: [200],
    run: ({ t, sealed }) =>
      t.as(OPERATOR_TOKEN).post(`/v1/tenants/gate-sealed/seals/${sealed}/break-glass`).send({ reason: 'coverage break glass' }),
  },
  'POST /v1/tenants/:tenant/seals/:id/break-glass-changes': {
    // Under a seal only more secrecy is possible: turning the critical option on is refused.
    expect: [422],
    run: ({ t, sealed }) =>
      t
        .as(OPERATOR_TOKEN)
        .post(`/v1/tenants/gate-sealed/seals/${sealed}/break-glass-changes`)
        .send({ option: CRED, value: true, reason: 'coverage break glass' }),
  },
  // A signed checkpoint over the audit chain heads: writes audit data, never option values.
  // A signing key is the caller's own; it signs approvals and changes no option value.
  'POST /v1/me/credentials/registration-options': {
    expect: [200],
    run: ({ t, clientA }) => t.as(clientA).post('/v1/me/credentials/registration-options').send({}),
  },
  'POST /v1/me/credentials': {
    expect: [201],
    run: ({ t, clientA }) =>
      t.as(clientA).post('/v1/me/credentials').send({ kind: 'ed25519', label: 'gate', publicKey: ed25519Key().publicKeyPem }),
  },
  'POST /v1/me/credentials/remove': {
    expect: [200],
    run: async ({ t, clientA }) => {
      const enrolled = await t
        .as(clientA)
        .post('/v1/me/credentials')
        .send({ kind: 'ed25519', label: 'to remove', publicKey: ed25519Key().publicKeyPem });
      if (enrolled.status !== 201) throw new Error(`credential: ${enrolled.status} ${JSON.stringify(enrolled.body)}`);
      return t.as(clientA).post('/v1/me/credentials/remove').send({ fingerprint: enrolled.body.fingerprint });
    },
  },
  // The tenant's signed-approvals setting decides which approvals count; it writes no option value.
  'PUT /v1/tenants/:tenant/signed-approvals': {
    expect: [200],
    run: ({ t }) => t.as(OPERATOR_TOKEN).put('/v1/tenants/gate-a/signed-approvals').send({ required: true, reason: 'gate coverage' }),
  },
  // Ends the caller's console session (none with a token): no option value.
  'POST /v1/console/sign-out': {
    expect: [204],
    run: ({ t, clientA }) => t.as(clientA).post('/v1/console/sign-out'),
  },
  'POST /v1/audit/checkpoints': {
    expect: [201],
    run: ({ t }) => t.as(OPERATOR_TOKEN).post('/v1/audit/checkpoints'),
  },
  // OpenFeature evaluation is a POST that only reads; its context cannot carry values.
  'POST /ofrep/v1/evaluate/flags': {
    expect: [200],
    run: ({ t, serviceA }) =>
      t
        .as(serviceA)
        .post('/ofrep/v1/evaluate/flags')
        .send({ context: { targetingKey: 'voter-1' } }),
  },
  'POST /ofrep/v1/evaluate/flags/:key': {
    expect: [200],
    run: ({ t, serviceA }) =>
      t
        .as(serviceA)
        .post(`/ofrep/v1/evaluate/flags/${CRED}`)
        .send({ context: { targetingKey: 'voter-1', [CRED]: true } }),
  },
};

describe('every value-changing route goes through the change gate', () => {
  let t: TestApp;
  let op2: string;
  let clientA: string;
  let sealed: string;
  let serviceA: string;

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'gate-a');
    await createTenant(t, 'gate-exposed');
    op2 = OPERATOR_TOKEN_2;
    clientA = await createPrincipal(t, 'client_admin', 'gate-a');
    serviceA = await createPrincipal(t, 'service', 'gate-a');
    const clientExposed = await createPrincipal(t, 'client_admin', 'gate-exposed');
    // gate-exposed has the critical option on, through the full approval path, so resets have something to undo.
    const r = await pendingRequest(t, 'gate-exposed');
    await t.as(op2).post(`/v1/tenants/gate-exposed/change-requests/${r.id}/approve`).send({ contentHash: r.contentHash }).expect(200);
    await t
      .as(clientExposed)
      .post(`/v1/tenants/gate-exposed/change-requests/${r.id}/approve`)
      .send({ contentHash: r.contentHash })
      .expect(200);
    // gate-sealed has an active seal, so that lift and break-glass have something to act on.
    await createTenant(t, 'gate-sealed');
    const clientSealed = await createPrincipal(t, 'client_admin', 'gate-sealed');
    sealed = (await t.as(OPERATOR_TOKEN).post('/v1/tenants/gate-sealed/seals').send({ label: 'coverage' }).expect(201)).body.id;
    await t.as(op2).post(`/v1/tenants/gate-sealed/seals/${sealed}/approve`).expect(200);
    await t.as(clientSealed).post(`/v1/tenants/gate-sealed/seals/${sealed}/approve`).expect(200);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  const critical = () =>
    t.superuser(
      async (c) =>
        (await c.query(`SELECT tenant_id, is_set, value, version FROM option_values WHERE option_key = $1 ORDER BY tenant_id`, [CRED]))
          .rows,
    );

  it('lists an exercise for every route that is not a GET', () => {
    const writing = listRoutes(t.app).filter((r) => !r.startsWith('GET '));
    expect(writing.length).toBeGreaterThan(5);
    expect(writing).toEqual(Object.keys(EXERCISES).sort());
  });

  it.each(Object.keys(EXERCISES))('%s leaves a critical option untouched', async (route) => {
    const before = await critical();
    expect(before).toHaveLength(1); // gate-exposed's value
    const { expect: statuses, run } = EXERCISES[route] as (typeof EXERCISES)[string];
    const res = await run({ t, op2, clientA, sealed, serviceA });
    expect(statuses).toContain(res.status);
    if (res.status === 202 || res.status === 201) {
      if (res.body.status !== undefined) expect(['pending', 'proposed']).toContain(res.body.status);
    }
    expect(await critical()).toEqual(before);
  });
});
