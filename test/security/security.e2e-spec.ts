import { createHash } from 'node:crypto';
import { whileWritesFail } from '../support/failing-writes.js';
import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { jest } from '@jest/globals';
import { Authenticator, hashToken } from '#identity';

describe('security basics', () => {
  let t: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'alpha');
    adminToken = await createPrincipal(t, 'client_admin', 'alpha');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('stores tokens only as their SHA-256 hash', async () => {
    const snapshot = JSON.stringify(await t.snapshot());
    for (const token of [OPERATOR_TOKEN, adminToken]) {
      expect(snapshot).not.toContain(token);
      expect(snapshot).toContain(createHash('sha256').update(token).digest('hex'));
    }
    const hashes = await t.superuser(async (c) => (await c.query('SELECT token_hash FROM principals')).rows);
    for (const { token_hash } of hashes) expect(token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses the stored hash, a prefix or a case variant of a token as a token', async () => {
    const hash = createHash('sha256').update(adminToken).digest('hex');
    for (const wrong of [hash, adminToken.slice(0, -1), adminToken.toUpperCase(), `${adminToken}x`]) {
      await t.as(wrong).get('/v1/tenants/alpha/options').expect(401);
    }
    await t.as(adminToken).get('/v1/tenants/alpha/options').expect(200);
  });

  it("answers a client admin revoking another tenant's principal like an unknown one (404), its own 403", async () => {
    await createTenant(t, 'beta');
    const issue = (tenant: string) =>
      t
        .as(OPERATOR_TOKEN)
        .post('/v1/principals')
        .send({ name: `service of ${tenant}`, role: 'service', tenant })
        .expect(201);
    const [own, foreign] = [(await issue('alpha')).body.id, (await issue('beta')).body.id];
    const before = await t.snapshot();
    const res = await t.as(adminToken).post(`/v1/principals/${foreign}/revoke`).expect(404);
    expect(res.text).not.toContain('beta');
    await t.as(adminToken).post('/v1/principals/00000000-0000-4000-8000-000000000000/revoke').expect(404);
    await t.as(adminToken).post('/v1/principals/not-a-principal/revoke').expect(404);
    await t.as(adminToken).post(`/v1/principals/${own}/revoke`).expect(403);
    expect(await t.snapshot()).toEqual(before);
    await t.as(OPERATOR_TOKEN).post(`/v1/principals/${foreign}/revoke`).expect(200);
  });

  it('sends security headers on data and on errors, compatible with a same-origin console', async () => {
    for (const res of [
      await t.as(OPERATOR_TOKEN).get('/v1/tenants').expect(200),
      await t.http.get('/v1/tenants').expect(401),
      await t.http.get('/health').expect(200),
      await t.http.post('/ofrep/v1/evaluate/flags').send({}).expect(401),
    ]) {
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('keeps CORS closed: no Access-Control-Allow-Origin, preflight refused', async () => {
    const origin = 'https://evil.example';
    const get = await t.as(OPERATOR_TOKEN).get('/v1/tenants').set('origin', origin).expect(200);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    expect(get.headers['access-control-allow-credentials']).toBeUndefined();
    const preflight = await t.http
      .options('/v1/tenants/alpha/options/revote')
      .set('origin', origin)
      .set('access-control-request-method', 'PUT')
      .set('access-control-request-headers', 'authorization, content-type');
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('answers database errors without stack traces, SQL or driver details', async () => {
    const optionWritesFail = {
      before: 'INSERT OR UPDATE',
      table: 'option_values',
      raise: `'SELECT secret FROM option_values WHERE tenant_id = %', NEW.tenant_id`,
    };
    await whileWritesFail(t, optionWritesFail, async () => {
      const res = await t.as(OPERATOR_TOKEN).put('/v1/tenants/alpha/options/revote').send({ value: true, reason: 'provoke an error' });
      expect(res.status).toBe(500);
      expect(Object.keys(res.body).sort()).toEqual(['error', 'message', 'requestId', 'statusCode']);
      expect(res.body.message).toBe('internal error');
      expect(res.text).not.toMatch(/SELECT|option_values|tenant_id|prisma|postgres|\bat .+:\d+|node_modules|\.ts\b|\.js\b/i);
    });
  });
});

describe('request limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ rateLimitMax: 3, rateLimitWindowMs: 60_000, bodyLimit: 4096 });
    await createTenant(t, 'alpha');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('limits requests per token with 429 and a JSON error, other callers unaffected', async () => {
    const admin = await createPrincipal(t, 'client_admin', 'alpha');
    // createTenant and createPrincipal used two of the operator's three requests.
    await t.as(OPERATOR_TOKEN).get('/v1/tenants').expect(200);
    const limited = await t.as(OPERATOR_TOKEN).get('/v1/tenants').expect(429);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(limited.headers['retry-after']).toBeDefined();
    await t.as(admin).get('/v1/tenants/alpha/options').expect(200);
  });

  it('does not throttle evaluation, the per-voter hot path of the voting platform', async () => {
    // Issued directly: the operator's own budget of three requests is spent by the test above.
    const service = 'cln_service-token-for-the-rate-limit-test';
    await t.superuser((c) =>
      c.query(
        "INSERT INTO principals (id, name, role, tenant_id, token_hash, lineage_id) SELECT gen_random_uuid(), 'voting platform', 'service', id, $1, 'direct' FROM tenants WHERE slug = 'alpha'",
        [hashToken(service)],
      ),
    );
    for (let i = 0; i < 3; i++) await t.as(service).get('/v1/tenants/alpha/options/revote').expect(200);
    await t.as(service).get('/v1/tenants/alpha/options/revote').expect(429);
    for (let i = 0; i < 10; i++) await t.as(service).post('/ofrep/v1/evaluate/flags').send({ context: {} }).expect(200);
  });

  it('refuses bodies over the configured limit with 413 and a JSON error', async () => {
    const res = await t.http
      .post('/v1/tenants')
      .set('authorization', 'Bearer cln_someone-else-entirely-000')
      .send({ slug: 'big', name: 'x'.repeat(5000), riskLevel: 1 })
      .expect(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });
});

describe('failed authentications and the evaluation limit', () => {
  let t: TestApp;
  let service: string;
  let other: string;
  beforeAll(async () => {
    t = await startTestApp({ authFailureMax: 3, ofrepRateLimitMax: 5, rateLimitWindowMs: 60_000 });
    await createTenant(t, 'alpha');
    service = await createPrincipal(t, 'service', 'alpha');
    other = await createPrincipal(t, 'service', 'alpha');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('limits evaluations per token with 429 and Retry-After, other tokens unaffected', async () => {
    for (let i = 0; i < 5; i++) await t.as(service).post('/ofrep/v1/evaluate/flags').send({ context: {} }).expect(200);
    const limited = await t.as(service).post('/ofrep/v1/evaluate/flags/revote').send({ context: {} }).expect(429);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await t.as(other).post('/ofrep/v1/evaluate/flags').send({ context: {} }).expect(200);
    // The general API is not charged by evaluations.
    await t.as(service).get('/v1/tenants/alpha/options/revote').expect(200);
  });

  it('answers 429 to an address past the failed-authentication limit, before any token lookup, on every route', async () => {
    const authenticator = t.app.get(Authenticator);
    const lookups = jest.spyOn(authenticator, 'authenticate');
    const cached = jest.spyOn(authenticator, 'authenticateCached');
    try {
      // A fresh bogus token each time: a per-token limit would never trigger.
      const bogus = (i: number) => `cln_bogus-token-number-${i}-${'x'.repeat(20)}`;
      await t.as(bogus(1)).get('/v1/tenants').expect(401);
      await t.as(bogus(2)).post('/ofrep/v1/evaluate/flags').send({ context: {} }).expect(401);
      await t.as(bogus(3)).get('/v1/tenants/alpha/options').expect(401);
      const seen = lookups.mock.calls.length + cached.mock.calls.length;
      for (let i = 4; i < 30; i++) {
        const res = await t.as(bogus(i)).get('/v1/tenants').expect(429);
        expect(res.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
      await t.as(bogus(30)).post('/ofrep/v1/evaluate/flags').send({ context: {} }).expect(429);
      // Valid credentials from the same address wait too (they cannot be told apart unread).
      await t.as(OPERATOR_TOKEN).get('/v1/tenants').expect(429);
      expect(lookups.mock.calls.length + cached.mock.calls.length).toBe(seen);
      // Requests without credentials still get their answer.
      await t.http.get('/v1/tenants').expect(401);
      await t.http.get('/health').expect((r) => expect(r.status).toBeLessThan(300));
    } finally {
      lookups.mockRestore();
      cached.mockRestore();
    }
  });
});
