import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

/** Every client mistake gets its status and a JSON body naming the problem, and writes nothing. */
describe('error classes', () => {
  let t: TestApp;
  let adminB: string;
  const op = () => t.as(OPERATOR_TOKEN);
  const KEY = '/v1/tenants/alpha/options/max_proxies';

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'alpha');
    await createTenant(t, 'beta');
    adminB = await createPrincipal(t, 'client_admin', 'beta');
    await op().put(KEY).send({ value: 2, reason: 'two proxies allowed' }).expect(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function expectNothingWritten(
    send: () => Promise<{ status: number; body: unknown; headers: Record<string, string> }>,
    status: number,
  ) {
    const before = await t.snapshot();
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+|SELECT |INSERT |prisma/i);
    expect(await t.snapshot()).toEqual(before);
    return res.body as { message: string; details?: { pointer: string; rule: string }[] };
  }

  it('invalid JSON → 400', async () => {
    await expectNothingWritten(() => op().put(KEY).set('content-type', 'application/json').send('{"value": 3, "reason": '), 400);
  });

  it('a value failing the option schema → 400 naming the JSON pointer and the rule', async () => {
    const body = await expectNothingWritten(() => op().put(KEY).send({ value: 11, reason: 'too many' }), 400);
    expect(body.details).toContainEqual(expect.objectContaining({ pointer: '/value', rule: 'maximum' }));
    const nested = await expectNothingWritten(
      () =>
        op()
          .put('/v1/tenants/alpha/options/scrutineer_scope')
          .send({ value: ['turnout', 'credentials'], reason: 'not allowed' }),
      400,
    );
    expect(nested.details).toContainEqual(expect.objectContaining({ pointer: '/value/1', rule: 'enum' }));
    const wrongType = await expectNothingWritten(() => op().put(KEY).send({ value: '3', reason: 'string' }), 400);
    expect(wrongType.details).toContainEqual(expect.objectContaining({ pointer: '/value', rule: 'type' }));
  });

  it('a missing reason or an unknown field → 400 naming the field', async () => {
    const missing = await expectNothingWritten(() => op().put(KEY).send({ value: 3 }), 400);
    expect(missing.details).toContainEqual(expect.objectContaining({ pointer: '/reason', rule: 'required' }));
    const extra = await expectNothingWritten(() => op().put(KEY).send({ value: 3, reason: 'ok ok', colour: 'red' }), 400);
    expect(extra.details).toContainEqual(expect.objectContaining({ pointer: '/colour', rule: 'additionalProperties' }));
    // A body may name the tenant only to repeat the path's: another one is a conflict.
    const other = await expectNothingWritten(() => op().put(KEY).send({ value: 3, reason: 'ok ok', tenant: 'beta' }), 409);
    expect(other.details).toContainEqual(expect.objectContaining({ pointer: '/tenant', rule: 'tenant_mismatch' }));
    await expectNothingWritten(() => op().post('/v1/tenants').send({ slug: 'Bad Slug', name: 'x', riskLevel: 4 }), 400);
  });

  it('an unknown option → 404', async () => {
    await expectNothingWritten(() => op().put('/v1/tenants/alpha/options/no_such_option').send({ value: 1, reason: 'why not' }), 404);
    await expectNothingWritten(() => op().get('/v1/tenants/alpha/options/no_such_option'), 404);
    await expectNothingWritten(() => op().get('/v1/registry/no_such_option'), 404);
  });

  it('a missing or invalid token → 401', async () => {
    await expectNothingWritten(() => t.http.put(KEY).send({ value: 3, reason: 'anonymous' }), 401);
    await expectNothingWritten(() => t.as('cln_not-a-real-token-at-all').put(KEY).send({ value: 3, reason: 'forged' }), 401);
    await expectNothingWritten(() => t.http.get(KEY).set('authorization', `Basic ${OPERATOR_TOKEN}`), 401);
  });

  it('a known tenant that is not yours → 404, even before your role is considered', async () => {
    const body = await expectNothingWritten(() => t.as(adminB).put(KEY).send({ value: 3, reason: 'foreign' }), 404);
    expect(body.message).not.toContain('2');
    await expectNothingWritten(() => t.as(adminB).get('/v1/tenants/alpha'), 404);
    // Unknown and foreign tenants are indistinguishable.
    const unknown = await t.as(adminB).get('/v1/tenants/no-such-tenant/options');
    const foreign = await t.as(adminB).get('/v1/tenants/alpha/options');
    expect([unknown.status, foreign.status]).toEqual([404, 404]);
    expect(foreign.body.message.replace('alpha', 'X')).toBe(unknown.body.message.replace('no-such-tenant', 'X'));
  });

  it('a role not allowed on your own tenant → 403', async () => {
    await expectNothingWritten(() => t.as(adminB).put('/v1/tenants/beta/options/max_proxies').send({ value: 3, reason: 'mine' }), 403);
    await expectNothingWritten(() => t.as(adminB).post('/v1/tenants').send({ slug: 'gamma', name: 'G', riskLevel: 1 }), 403);
    await expectNothingWritten(() => t.as(adminB).post('/v1/principals').send({ name: 'x', role: 'operator' }), 403);
  });

  it('a stale If-Match → 412 and the option keeps its value', async () => {
    await op().put(KEY).send({ value: 3, reason: 'moves the version on' }).expect(200);
    const current = await op().get(KEY).expect(200);
    const stale = `"${current.body.version - 1}"`;
    await expectNothingWritten(() => op().put(KEY).set('if-match', stale).send({ value: 4, reason: 'stale' }), 412);
    await expectNothingWritten(() => op().delete(KEY).set('if-match', stale).send({ reason: 'stale' }), 412);
    await expectNothingWritten(() => op().put(KEY).set('if-match', 'garbage').send({ value: 4, reason: 'bad header' }), 400);
    expect((await op().get(KEY).expect(200)).body.value).toBe(current.body.value);
  });

  it('a duplicate tenant slug → 409', async () => {
    await expectNothingWritten(() => op().post('/v1/tenants').send({ slug: 'alpha', name: 'Again', riskLevel: 1 }), 409);
  });

  it('principal bodies: tenant required for tenant-bound roles, refused for spanning ones, must exist', async () => {
    await expectNothingWritten(() => op().post('/v1/principals').send({ name: 'x', role: 'service' }), 400);
    await expectNothingWritten(() => op().post('/v1/principals').send({ name: 'x', role: 'operator', tenant: 'alpha' }), 400);
    await expectNothingWritten(() => op().post('/v1/principals').send({ name: 'x', role: 'root' }), 400);
    await expectNothingWritten(() => op().post('/v1/principals').send({ name: 'x', role: 'service', tenant: 'nowhere' }), 404);
  });

  it('a console path naming no file, however it is encoded → JSON 404, never 500', async () => {
    for (const path of [
      '/console/%25E0%25A4%25A',
      '/console/%25',
      '/console/%2525',
      '/console/..%252f..%252fpackage.json',
      '/console/%25ZZ.js',
      '/console/nope.js',
    ]) {
      const body = await expectNothingWritten(() => t.http.get(path), 404);
      expect({ path, message: body.message }).toEqual({ path, message: expect.any(String) });
    }
    await t.http
      .get('/console/index.html')
      .expect(200)
      .expect('content-type', /text\/html/);
  });

  it('a lone surrogate anywhere in a JSON body → 400 naming the pointer and rule, on every kind of route', async () => {
    const someId = '00000000-0000-4000-8000-000000000000';
    const cases: [string, string, string, string][] = [
      ['put', KEY, '{"value": 3, "reason": "ab\\ud800c"}', '/reason'],
      ['post', '/v1/principals', '{"name": "x\\ud800y", "role": "operator"}', '/name'],
      ['post', '/v1/tenants', '{"slug": "gamma", "name": "G\\udc00", "riskLevel": 1}', '/name'],
      ['post', '/v1/tenants/alpha/seals', '{"label": "election \\ud800 2027"}', '/label'],
      ['post', `/v1/tenants/alpha/change-requests/${someId}/reject`, '{"reason": "no \\udbff way"}', '/reason'],
      ['post', `/v1/tenants/alpha/seals/${someId}/lift`, '{"reason": "lift \\ud800 it"}', '/reason'],
      [
        'post',
        '/v1/bulk-changes',
        '{"option": "revote", "operation": "set", "value": "\\ud800", "tenants": ["alpha"], "reason": "bulk", "dryRun": true}',
        '/value',
      ],
      ['put', KEY, '{"value": 3, "reason": "fine reason", "\\ud800": 1}', '/\ud800'],
    ];
    for (const [method, path, body, pointer] of cases) {
      const res = await expectNothingWritten(
        () => op()[method as 'put' | 'post'](path).set('content-type', 'application/json').send(body),
        400,
      );
      expect({ path, details: res.details }).toEqual({ path, details: [expect.objectContaining({ pointer, rule: 'unicode' })] });
    }
  });

  it('bad audit filters → 400 naming the parameter', async () => {
    const body = await expectNothingWritten(() => op().get('/v1/audit?limit=100000'), 400);
    expect(body.details).toContainEqual(expect.objectContaining({ pointer: '/limit', rule: 'maximum' }));
    await expectNothingWritten(() => op().get('/v1/audit?from=yesterday'), 400);
    await expectNothingWritten(() => op().get('/v1/audit?tenant=nowhere'), 404);
  });

  it('audit periods: leap seconds are read as the millisecond before, dates the log cannot hold → 400 naming the parameter', async () => {
    for (const q of [
      'to=2025-06-30T23:59:60-00:00',
      'from=2016-12-31T23:59:60Z',
      'from=2016-12-31t23:59:60z&to=9999-12-31T23:59:59Z',
      'from=0001-01-01T00:00:00Z',
      'from=2020-01-01%2010:00:00.123456%2B02:00',
    ]) {
      const res = await op().get(`/v1/audit?${q}`);
      expect({ q, status: res.status }).toEqual({ q, status: 200 });
      await op().get(`/v1/tenants/alpha/audit?${q}`).expect(200);
    }
    const atLeap = await op().get('/v1/tenants/alpha/audit?to=2016-12-31T23:59:60Z').expect(200);
    expect(atLeap.body.items).toEqual([]);
    for (const [q, pointer] of [
      ['from=0000-01-01T00:00:00Z', '/from'],
      ['to=0000-12-31T23:59:59Z', '/to'],
      ['from=0001-01-01T00:00:00%2B01:00', '/from'],
    ]) {
      for (const path of ['/v1/audit', '/v1/tenants/alpha/audit']) {
        const body = await expectNothingWritten(() => op().get(`${path}?${q}`), 400);
        expect(body.details).toEqual([expect.objectContaining({ pointer, rule: 'range' })]);
      }
    }
  });
});
