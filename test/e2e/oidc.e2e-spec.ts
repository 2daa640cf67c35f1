import { generateKeyPair, SignJWT } from 'jose';
import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { IDP_AUDIENCE, identityProvider, type IdentityProvider } from '../support/identity-provider.js';

const BULK = '/ofrep/v1/evaluate/flags';

const oidcSettings = (issuer: string) => ({
  issuer,
  audience: IDP_AUDIENCE,
  roleClaim: 'cloison_role',
  tenantClaim: 'cloison_tenant',
  algorithms: ['ES256', 'RS256'],
  clockToleranceSeconds: 5,
  maxTokenAgeSeconds: 3600,
  jwksCacheSeconds: 300,
});

describe('staff sign-in with OpenID Connect JWTs', () => {
  let t: TestApp;
  let idp: IdentityProvider;
  const ids: Record<string, string> = {};

  /**
   * Registers a person at the identity provider as a principal, as the bootstrap operator; a new
   * operator is a request the second bootstrap operator approves, created when the requester collects it.
   */
  async function register(subject: string, name: string, role: string, tenant?: string) {
    let res = await t
      .as(OPERATOR_TOKEN)
      .post('/v1/principals')
      .send({ name, role, ...(tenant ? { tenant } : {}), oidc: { subject } });
    if (role === 'operator' && res.status === 202) {
      expect(res.body.oidc).toEqual({ issuer: idp.issuer, subject });
      await t.as(OPERATOR_TOKEN_2).post(`/v1/principal-requests/${res.body.id}/approve`).send({}).expect(200);
      res = await t.as(OPERATOR_TOKEN).post(`/v1/principal-requests/${res.body.id}/token`).send({});
      expect(res.body.token).toBeUndefined();
    }
    if (res.status !== 201) throw new Error(`registering ${subject}: ${res.status} ${res.text}`);
    ids[subject] = res.body.id;
    return res.body;
  }

  beforeAll(async () => {
    idp = await identityProvider();
    t = await startTestApp({ oidc: oidcSettings(idp.issuer) });
    await createTenant(t, 'alpha');
    await createTenant(t, 'beta');
    await register('ada', 'Ada Operator', 'operator');
    await register('alice', 'Alice of Alpha', 'client_admin', 'alpha');
  });
  afterAll(async () => {
    await t?.stop();
    await idp?.close();
  });

  it('registers a person through POST /v1/principals: linked to the configured issuer, no token, audited', async () => {
    const created = await register('grace', 'Grace Compliance', 'compliance');
    expect(created).toMatchObject({
      name: 'Grace Compliance',
      role: 'compliance',
      tenant: null,
      oidc: { issuer: idp.issuer, subject: 'grace' },
    });
    expect(created.token).toBeUndefined();
    const audit = await t.as(OPERATOR_TOKEN).get('/v1/audit').expect(200);
    expect(
      audit.body.items.find(
        (e: { action: string; after: { id: string } }) => e.action === 'principal.created' && e.after.id === created.id,
      ),
    ).toMatchObject({
      after: { oidc: { issuer: idp.issuer, subject: 'grace' } },
    });
    const again = await t
      .as(OPERATOR_TOKEN)
      .post('/v1/principals')
      .send({ name: 'Grace again', role: 'operator', oidc: { subject: 'grace' } });
    expect(again.status).toBe(409);
    expect(again.body.details).toEqual([expect.objectContaining({ pointer: '/oidc/subject', rule: 'unique' })]);
  });

  it("takes role, tenant and name from the registration; audit names the principal's id and registered name", async () => {
    const token = await idp.sign({ sub: 'ada', name: 'Bootstrap Operator' });
    await t.as(token).get('/v1/tenants').expect(200);
    const created = await t.as(token).post('/v1/tenants').send({ slug: 'gamma', name: 'Gamma', riskLevel: 1 }).expect(201);
    const audit = await t.as(OPERATOR_TOKEN).get('/v1/audit?tenant=gamma').expect(200);
    expect(audit.body.items[0]).toMatchObject({
      action: 'tenant.created',
      actor: { id: ids.ada, name: 'Ada Operator', role: 'operator' },
      requestId: created.headers['x-request-id'],
    });
  });

  it('binds a client admin to the registered tenant: its own tenant 200, another 404', async () => {
    const token = await idp.sign({ sub: 'alice' });
    await t.as(token).get('/v1/tenants/alpha').expect(200);
    await t.as(token).get('/v1/tenants/beta').expect(404);
    await t.as(token).post('/v1/tenants').send({ slug: 'delta', name: 'Delta', riskLevel: 1 }).expect(403);
  });

  it('grants nothing from claims: an unregistered subject with role and tenant claims is refused', async () => {
    const cases: Record<string, [Record<string, unknown>, string]> = {
      operatorClaim: [{ sub: 'mallory', cloison_role: 'operator' }, '/v1/tenants'],
      clientAdminClaim: [{ sub: 'mallory', cloison_role: 'client_admin', cloison_tenant: 'beta' }, '/v1/tenants/beta'],
      otherIssuerSameSubject: [{ sub: 'ada', iss: 'https://evil.example.org' }, '/v1/tenants'],
    };
    for (const [name, [claims, path]] of Object.entries(cases)) {
      const res = await t.as(await idp.sign(claims)).get(path);
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
    }
  });

  it('refuses a token whose role or tenant claim disagrees with the registration', async () => {
    const cases: Record<string, Record<string, unknown>> = {
      operatorClaimsCompliance: { sub: 'ada', cloison_role: 'compliance' },
      operatorClaimsTenant: { sub: 'ada', cloison_tenant: 'alpha' },
      adminClaimsOperator: { sub: 'alice', cloison_role: 'operator' },
      adminClaimsOtherTenant: { sub: 'alice', cloison_tenant: 'beta' },
      roleClaimNotText: { sub: 'ada', cloison_role: ['operator'] },
    };
    for (const [name, claims] of Object.entries(cases)) {
      const res = await t.as(await idp.sign(claims)).get('/v1/tenants');
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
    }
    await t
      .as(await idp.sign({ sub: 'alice', cloison_role: 'client_admin', cloison_tenant: 'alpha' }))
      .get('/v1/tenants/alpha')
      .expect(200);
  });

  it('treats only the string subject as the person: ["ada"] is not ada', async () => {
    await t
      .as(await idp.sign({ sub: ['ada'] }))
      .get('/v1/tenants')
      .expect(401);
    await t
      .as(await idp.sign({ sub: 'ada\u0000' }))
      .get('/v1/tenants')
      .expect(401); // never reaches the database
    await t
      .as(await idp.sign({ sub: 'ada' }))
      .get('/v1/tenants')
      .expect(200);
  });

  it('refuses tokens without iat, issued in the future or living beyond the maximum age', async () => {
    const cases: Record<string, Record<string, unknown>> = {
      exp2999: { exp: Date.UTC(2999, 0, 1) / 1000 },
      iat2100: { iat: Date.UTC(2100, 0, 1) / 1000 },
      noIat: { iat: undefined },
    };
    for (const [name, claims] of Object.entries(cases)) {
      const res = await t.as(await idp.sign({ sub: 'ada', ...claims })).get('/v1/tenants');
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
    }
  });

  it('refuses expired, wrong-audience, tampered, foreign-key and unsigned tokens with 401', async () => {
    const other = await generateKeyPair('ES256');
    const valid = await idp.sign({ sub: 'ada' });
    const [h, p, s] = valid.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const cases: Record<string, string> = {
      expired: await idp.sign({ sub: 'ada', exp: Math.floor(Date.now() / 1000) - 60 }),
      wrongAudience: await idp.sign({ sub: 'ada', aud: 'someone-else' }),
      tampered: `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'alice' })).toString('base64url')}.${s}`,
      foreignKey: await new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(other.privateKey),
      unsigned: `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`,
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await t.as(token).get('/v1/tenants');
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
    }
    await t.as(valid).get('/v1/tenants').expect(200);
  });

  it('revokes a registered person at once: the next request with the same JWT is 401, cached hot path included', async () => {
    await register('bob', 'Bob Operator', 'operator');
    await register('carol', 'Carol, voting service of Beta', 'service', 'beta');
    const bob = await idp.sign({ sub: 'bob' });
    const carol = await idp.sign({ sub: 'carol' });
    await t.as(bob).get('/v1/tenants').expect(200);
    await t.as(carol).post(BULK).send({}).expect(200);
    await t.as(carol).post(BULK).send({}).expect(200); // served from the principal cache
    await t.as(OPERATOR_TOKEN).post(`/v1/principals/${ids.bob}/revoke`).expect(200);
    await t.as(OPERATOR_TOKEN).post(`/v1/principals/${ids.carol}/revoke`).expect(200);
    await t.as(bob).get('/v1/tenants').expect(401);
    await t.as(carol).post(BULK).send({}).expect(401);
    await t.as(carol).get('/v1/tenants/beta/options').expect(401);
  });

  it('keeps opaque tokens working beside JWTs', async () => {
    await t.as(OPERATOR_TOKEN).get('/v1/tenants').expect(200);
  });
});

describe('staff sign-in while the identity provider is down', () => {
  let t: TestApp;
  let idp: IdentityProvider;
  beforeAll(async () => {
    idp = await identityProvider();
    idp.failDiscovery(true);
    t = await startTestApp({ oidc: oidcSettings(idp.issuer) });
  });
  afterAll(async () => {
    await t?.stop();
    await idp?.close();
  });

  it('answers a plain 401 for every JWT, and asks the identity provider once, not once per token', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await t.as(await idp.sign({ sub: `someone-${i}` })).get('/v1/tenants');
      expect({ i, status: res.status }).toEqual({ i, status: 401 });
    }
    expect(idp.hits.discovery).toBe(1);
  });
});

describe('staff JWTs failing verification', () => {
  let t: TestApp;
  let idp: IdentityProvider;
  beforeAll(async () => {
    idp = await identityProvider();
    t = await startTestApp({ authFailureMax: 2, oidc: oidcSettings(idp.issuer) });
    await t
      .as(OPERATOR_TOKEN)
      .post('/v1/principals')
      .send({ name: 'Fresh Compliance', role: 'compliance', oidc: { subject: 'fresh' } })
      .expect(201);
  });
  afterAll(async () => {
    await t?.stop();
    await idp?.close();
  });

  it('count as failed authentications of the address: past the limit even a valid JWT waits (429)', async () => {
    await t
      .as(await idp.sign({ sub: 'fresh', aud: 'someone-else' }))
      .get('/v1/tenants')
      .expect(401);
    await t
      .as(await idp.sign({ sub: 'nobody-registered' }))
      .get('/v1/tenants')
      .expect(401);
    await t
      .as(await idp.sign({ sub: 'fresh' }))
      .get('/v1/tenants')
      .expect(429);
  });
});
