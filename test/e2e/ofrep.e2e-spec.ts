import { Authenticator, hashToken } from '#identity';
import { SnapshotCache } from '#evaluation';
import { POLICY_KEY, PolicyGuard } from '#policy';
import { OfrepController } from '#evaluation/ofrep.controller';
import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

const BULK = '/ofrep/v1/evaluate/flags';
const one = (key: string) => `/ofrep/v1/evaluate/flags/${key}`;

type Flag = { key: string; value: unknown; reason: string; variant: string; metadata: Record<string, unknown> };
const flagOf = (body: { flags: Flag[] }, key: string) => body.flags.find((f) => f.key === key);

describe('OFREP evaluation (tenant-bound)', () => {
  let t: TestApp;
  let alpha: { id: string; slug: string };
  let beta: { id: string; slug: string };
  let alphaService: string;
  let betaService: string;
  let alphaAdmin: string;
  let compliance: string;

  const set = (tenant: string, key: string, value: unknown) =>
    t.as(OPERATOR_TOKEN).put(`/v1/tenants/${tenant}/options/${key}`).send({ value, reason: 'evaluation test' }).expect(200);

  beforeAll(async () => {
    t = await startTestApp();
    alpha = await createTenant(t, 'alpha');
    beta = await createTenant(t, 'beta');
    alphaService = await createPrincipal(t, 'service', 'alpha');
    betaService = await createPrincipal(t, 'service', 'beta');
    alphaAdmin = await createPrincipal(t, 'client_admin', 'alpha');
    compliance = await createPrincipal(t, 'compliance');
    // Same option keys, different values: the only thing telling them apart is the tenant.
    await set('alpha', 'ui_language', 'en');
    await set('beta', 'ui_language', 'de');
    await set('alpha', 'vote_weights', true);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('evaluates one flag: tenant value as TARGETING_MATCH, registry default as STATIC', async () => {
    const own = await t
      .as(alphaService)
      .post(one('ui_language'))
      .send({ context: { targetingKey: 'voter-1' } })
      .expect(200);
    expect(own.headers['content-type']).toMatch(/^application\/json/);
    expect(own.body).toEqual({
      key: 'ui_language',
      value: 'en',
      reason: 'TARGETING_MATCH',
      variant: 'tenant',
      metadata: { source: 'tenant', version: 1, risk: 'low' },
    });
    const dflt = await t.as(alphaService).post(one('revote')).send({}).expect(200);
    expect(dflt.body).toMatchObject({ key: 'revote', reason: 'STATIC', variant: 'default', metadata: { source: 'default', version: 0 } });
    const beta1 = await t.as(betaService).post(one('ui_language')).send({}).expect(200);
    expect(beta1.body.value).toBe('de');
  });

  it('evaluates every catalog option in bulk, with an ETag that answers 304 until the tenant changes', async () => {
    const first = await t
      .as(alphaService)
      .post(BULK)
      .send({ context: { targetingKey: 'voter-1' } })
      .expect(200);
    const catalog = await t.as(alphaService).get('/v1/registry').expect(200);
    const keys = (Array.isArray(catalog.body) ? catalog.body : catalog.body.options).map((o: { key: string }) => o.key).sort();
    expect(first.body.flags.map((f: Flag) => f.key).sort()).toEqual(keys);
    expect(flagOf(first.body, 'ui_language')?.value).toBe('en');
    expect(flagOf(first.body, 'vote_weights')).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);

    const again = await t.as(alphaService).post(BULK).set('if-none-match', etag).send({}).expect(304);
    expect(again.headers.etag).toBe(etag);
    expect(again.text).toBe('');
    await t.as(alphaService).post(BULK).set('if-none-match', `"other", W/${etag}`).send({}).expect(304);

    await set('alpha', 'ui_language', 'es');
    const changed = await t.as(alphaService).post(BULK).set('if-none-match', etag).send({}).expect(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(flagOf(changed.body, 'ui_language')?.value).toBe('es');
  });

  it('never shares a snapshot or an ETag between tenants with the same option keys', async () => {
    const a = await t.as(alphaService).post(BULK).send({}).expect(200);
    const b = await t.as(betaService).post(BULK).send({}).expect(200);
    expect(a.headers.etag).not.toBe(b.headers.etag);
    // Beta's ETag means nothing to alpha: a full answer, alpha's own values.
    const cross = await t
      .as(alphaService)
      .post(BULK)
      .set('if-none-match', b.headers.etag as string)
      .send({})
      .expect(200);
    expect(flagOf(cross.body, 'ui_language')?.value).toBe('es');

    const cache = t.app.get(SnapshotCache);
    const sa = await cache.get(alpha.id);
    const sb = await cache.get(beta.id);
    expect(sa).not.toBe(sb);
    expect(sa.tenantId).toBe(alpha.id);
    expect(sb.tenantId).toBe(beta.id);
    expect(String(sa.flagBody('ui_language'))).toContain('"es"');
    expect(String(sb.flagBody('ui_language'))).toContain('"de"');
  });

  it("refuses a context naming another tenant and never returns the other tenant's value", async () => {
    const before = await t.snapshot();
    for (const named of ['beta', beta.id, 'no-such-tenant']) {
      const res = await t
        .as(alphaService)
        .post(one('ui_language'))
        .send({ context: { tenant: named } })
        .expect(400);
      expect(res.body).toMatchObject({ key: 'ui_language', errorCode: 'INVALID_CONTEXT', statusCode: 400 });
      expect(JSON.stringify(res.body)).not.toContain('"de"');
      const bulk = await t
        .as(alphaService)
        .post(BULK)
        .send({ context: { tenant: named } })
        .expect(400);
      expect(bulk.body).toMatchObject({ errorCode: 'INVALID_CONTEXT' });
      expect(bulk.body.flags).toBeUndefined();
    }
    // Naming its own tenant (slug or id) is fine.
    await t
      .as(alphaService)
      .post(one('ui_language'))
      .send({ context: { tenant: 'alpha' } })
      .expect(200);
    await t
      .as(alphaService)
      .post(one('ui_language'))
      .send({ context: { tenant: alpha.id } })
      .expect(200);
    expect(await t.snapshot()).toEqual(before);
  });

  it('answers protocol errors: FLAG_NOT_FOUND, PARSE_ERROR, INVALID_CONTEXT', async () => {
    const missing = await t.as(alphaService).post(one('no_such_option')).send({}).expect(404);
    expect(missing.body).toMatchObject({ key: 'no_such_option', errorCode: 'FLAG_NOT_FOUND', statusCode: 404 });

    const badJson = await t.as(alphaService).post(one('revote')).set('content-type', 'application/json').send('{"context":');
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({ key: 'revote', errorCode: 'PARSE_ERROR' });

    const extra = await t.as(alphaService).post(BULK).send({ contexts: {} }).expect(400);
    expect(extra.body).toMatchObject({ errorCode: 'PARSE_ERROR', details: [expect.objectContaining({ rule: 'additionalProperties' })] });

    const ctx = await t.as(alphaService).post(one('revote')).send({ context: 'voter-1' }).expect(400);
    expect(ctx.body).toMatchObject({
      key: 'revote',
      errorCode: 'INVALID_CONTEXT',
      details: [expect.objectContaining({ pointer: '/context' })],
    });
    const key = await t
      .as(alphaService)
      .post(BULK)
      .send({ context: { targetingKey: 42 } })
      .expect(400);
    expect(key.body).toMatchObject({ errorCode: 'INVALID_CONTEXT' });

    // No body at all is an empty request.
    await t.as(alphaService).post(one('revote')).expect(200);
  });

  it("is served outside Nest's pipeline, authorised by the policy guard against what its controller declares", async () => {
    const guard = t.app.get(PolicyGuard);
    const authorized: unknown[][] = [];
    let pipelineGuarded = 0;
    const { authorize, canActivate } = guard;
    guard.authorize = (...args) => {
      authorized.push(args.slice(1));
      return authorize.apply(guard, args);
    };
    guard.canActivate = (...args) => {
      pipelineGuarded++;
      return canActivate.apply(guard, args);
    };
    try {
      await t.as(alphaService).post(BULK).send({}).expect(200);
      await t.as(alphaService).post(one('revote')).send({}).expect(200);
      await t.as('cln_not-a-real-token-at-all').post(BULK).send({}).expect(401);
      expect(pipelineGuarded).toBe(0);
      await t.as(alphaService).get('/v1/me').expect(200); // a route Nest runs, for contrast
      expect(pipelineGuarded).toBe(1);
    } finally {
      guard.authorize = authorize;
      guard.canActivate = canActivate;
    }
    const bulk = [OfrepController.prototype.bulk, OfrepController];
    expect(authorized.slice(0, 3)).toEqual([bulk, [OfrepController.prototype.single, OfrepController], bulk]);
    expect(Reflect.getMetadata(POLICY_KEY, OfrepController.prototype.bulk)).toEqual({ action: 'read', subject: 'OptionValue' });
    // Like every route Nest serves, an empty path parameter matches nothing.
    await t.as(alphaService).post(`${BULK}/`).send({}).expect(404);
  });

  it('lets the tenant admin evaluate; refuses anonymous, unknown and tenant-less principals', async () => {
    const admin = await t.as(alphaAdmin).post(one('ui_language')).send({}).expect(200);
    expect(admin.body.value).toBe('es');
    await t.http.post(BULK).send({}).expect(401);
    await t.as('cln_not-a-real-token-at-all').post(BULK).send({}).expect(401);
    // Operators and compliance span tenants: no tenant to evaluate for.
    await t
      .as(OPERATOR_TOKEN)
      .post(BULK)
      .send({ context: { tenant: 'alpha' } })
      .expect(403);
    const res = await t.as(compliance).post(one('ui_language')).send({}).expect(403);
    expect(JSON.stringify(res.body)).not.toContain('"es"');
  });

  it('stops serving a revoked token from the principal cache', async () => {
    const token = await createPrincipal(t, 'service', 'beta', 'soon revoked');
    await t.as(token).post(BULK).send({}).expect(200);
    await t.as(token).post(BULK).send({}).expect(200);
    expect(t.app.get(Authenticator).cache.lookup(hashToken(token))).toMatchObject({ name: 'soon revoked' });
    await t.superuser((c) => c.query('UPDATE principals SET revoked_at = now() WHERE token_hash = $1', [hashToken(token)]));
    await eventually(async () => (await t.as(token).post(BULK).send({})).status === 401);
    await t.as(betaService).post(BULK).send({}).expect(200);
  });

  it('refuses a token revoked through the API at once, even while it is cached', async () => {
    const created = await t
      .as(OPERATOR_TOKEN)
      .post('/v1/principals')
      .send({ name: 'revoked now', role: 'service', tenant: 'beta' })
      .expect(201);
    await t.as(created.body.token).post(BULK).send({}).expect(200);
    await t.as(OPERATOR_TOKEN).post(`/v1/principals/${created.body.id}/revoke`).expect(200);
    await t.as(created.body.token).post(BULK).send({}).expect(401);
  });

  it('sees changes written outside the API (any write path) within a second', async () => {
    await t.as(betaService).post(one('revote')).send({}).expect(200); // warm
    await t.superuser((c) =>
      c.query(
        `INSERT INTO option_values (tenant_id, option_key, is_set, value, version, updated_at, updated_by_id, updated_by)
         VALUES ($1, 'revote', true, 'true'::jsonb, 1, now(), 'dba', 'dba')`,
        [beta.id],
      ),
    );
    await eventually(async () => (await t.as(betaService).post(one('revote')).send({})).body.value === true);
    expect((await t.as(alphaService).post(one('revote')).send({})).body.value).toBe(false);
  });
});

/** Retries `check` for up to a second (the consistency bound across instances). */
async function eventually(check: () => Promise<boolean>, withinMs = 1000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
