import { createServer, type Server } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { OPERATOR_TOKEN, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

const AUDIENCE = 'cloison-api';

/** A tiny identity provider: discovery document + JWKS over HTTP, and a signer. */
async function identityProvider() {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  let issuer = '';
  let jwksHits = 0;
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks.json` }));
    else if (req.url === '/jwks.json') {
      jwksHits++;
      res.end(JSON.stringify({ keys: [jwk] }));
    } else res.writeHead(404).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const sign = (claims: Record<string, unknown>, opts: { key?: Parameters<SignJWT['sign']>[0]; exp?: string | number; aud?: string; iss?: string; sub?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(opts.iss ?? issuer)
      .setAudience(opts.aud ?? AUDIENCE)
      .setSubject(opts.sub ?? 'staff-1')
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m')
      .sign(opts.key ?? privateKey);
  return { issuer, sign, server, jwksHits: () => jwksHits };
}

describe('staff sign-in with OpenID Connect JWTs', () => {
  let t: TestApp;
  let idp: Awaited<ReturnType<typeof identityProvider>>;
  beforeAll(async () => {
    idp = await identityProvider();
    t = await startTestApp({
      oidc: { issuer: idp.issuer, audience: AUDIENCE, roleClaim: 'cloison_role', tenantClaim: 'cloison_tenant', algorithms: ['ES256', 'RS256'], clockToleranceSeconds: 5 },
    });
    await createTenant(t, 'alpha');
    await createTenant(t, 'beta');
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise((r) => idp?.server.close(r));
  });

  it('accepts a valid operator JWT (keys found through discovery) and records issuer + subject in audit', async () => {
    const token = await idp.sign({ cloison_role: 'operator', name: 'Ada Operator' }, { sub: 'ada' });
    await t.as(token).get('/v1/tenants').expect(200);
    const created = await t.as(token).post('/v1/tenants').send({ slug: 'gamma', name: 'Gamma', riskLevel: 1 }).expect(201);
    const audit = await t.as(OPERATOR_TOKEN).get('/v1/audit?tenant=gamma').expect(200);
    expect(audit.body.items[0]).toMatchObject({
      action: 'tenant.created',
      actor: { id: `oidc:${idp.issuer}#ada`, name: 'Ada Operator', role: 'operator' },
      requestId: created.headers['x-request-id'],
    });
    expect(idp.jwksHits()).toBe(1);
  });

  it('binds a client_admin to the tenant in its claim: its own tenant 200, another 404', async () => {
    const token = await idp.sign({ cloison_role: 'client_admin', cloison_tenant: 'alpha' }, { sub: 'alice' });
    await t.as(token).get('/v1/tenants/alpha').expect(200);
    await t.as(token).get('/v1/tenants/beta').expect(404);
    await t.as(token).post('/v1/tenants').send({ slug: 'delta', name: 'Delta', riskLevel: 1 }).expect(403);
  });

  it('refuses expired, wrong-audience, wrong-issuer, tampered, foreign-key and unsigned tokens with 401', async () => {
    const other = await generateKeyPair('ES256');
    const claims = { cloison_role: 'operator' };
    const valid = await idp.sign(claims);
    const [h, p, s] = valid.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'mallory' })).toString('base64url')}.${s}`;
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
    const cases: Record<string, string> = {
      expired: await idp.sign(claims, { exp: Math.floor(Date.now() / 1000) - 60 }),
      wrongAudience: await idp.sign(claims, { aud: 'someone-else' }),
      wrongIssuer: await idp.sign(claims, { iss: 'https://evil.example.org' }),
      tampered,
      foreignKey: await idp.sign(claims, { key: other.privateKey }),
      unsigned,
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await t.as(token).get('/v1/tenants');
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
    }
    await t.as(valid).get('/v1/tenants').expect(200);
  });

  it('refuses tokens whose role or tenant claims do not fit', async () => {
    const cases: Record<string, Record<string, unknown>> = {
      noRole: {},
      unknownRole: { cloison_role: 'superadmin' },
      tenantRoleWithoutTenant: { cloison_role: 'client_admin' },
      unknownTenant: { cloison_role: 'client_admin', cloison_tenant: 'nowhere' },
      spanningRoleWithTenant: { cloison_role: 'operator', cloison_tenant: 'alpha' },
    };
    for (const [name, claims] of Object.entries(cases)) {
      const res = await t.as(await idp.sign(claims)).get('/v1/tenants');
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
    }
  });

  it('keeps opaque tokens working beside JWTs', async () => {
    await t.as(OPERATOR_TOKEN).get('/v1/tenants').expect(200);
  });
});

describe('staff JWTs failing verification', () => {
  let t: TestApp;
  let idp: Awaited<ReturnType<typeof identityProvider>>;
  beforeAll(async () => {
    idp = await identityProvider();
    t = await startTestApp({
      authFailureMax: 2,
      oidc: { issuer: idp.issuer, audience: AUDIENCE, roleClaim: 'cloison_role', tenantClaim: 'cloison_tenant', algorithms: ['ES256', 'RS256'], clockToleranceSeconds: 5 },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise((r) => idp?.server.close(r));
  });

  it('count as failed authentications of the address: past the limit even a valid JWT waits (429)', async () => {
    const other = await generateKeyPair('ES256');
    await t.as(await idp.sign({ cloison_role: 'operator' }, { key: other.privateKey })).get('/v1/tenants').expect(401);
    await t.as(await idp.sign({ cloison_role: 'operator' }, { aud: 'someone-else' })).get('/v1/tenants').expect(401);
    await t.as(await idp.sign({ cloison_role: 'operator' }, { sub: 'fresh' })).get('/v1/tenants').expect(429);
  });
});
