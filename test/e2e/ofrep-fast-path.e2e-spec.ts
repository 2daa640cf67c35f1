import { jest } from '@jest/globals';
import fc from 'fast-check';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FastReply } from '#evaluation/ofrep.fast';
import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { capturedLog } from '../support/captured-log.js';

const BULK = '/ofrep/v1/evaluate/flags';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Sent {
  path: string;
  headers: Record<string, string>;
  body: string;
}
interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(port: number, r: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path: r.path, headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

/** What must be the same from both: all but the date and the request id (each answer's own). */
function comparable(a: Answer) {
  const { date, 'x-request-id': id, ...headers } = a.headers;
  expect(date).toBeDefined();
  // (Fastify's router answers a path parameter over its limit before any hook: no id there, from either.)
  if (id !== undefined) expect(id).toMatch(UUID);
  let body: unknown = a.body;
  if (a.body.startsWith('{') && a.headers['content-type']?.startsWith('application/json')) {
    const parsed = JSON.parse(a.body) as Record<string, unknown>;
    if ('requestId' in parsed) {
      if (id !== undefined) expect(parsed.requestId).toBe(id);
      parsed.requestId = '<request id>';
    }
    body = parsed;
  }
  return { status: a.status, headers, body, requestId: id === undefined ? 'none' : 'server-generated' };
}

const listen = (server: Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

/**
 * The evaluation routes' common case is answered below Fastify (ofrep.fast); Fastify's own route
 * (the reference, reached with Fastify's request handler alone) must answer every request alike:
 * status, body and headers but the date and the request id.
 */
describe('evaluation fast path agrees with the Fastify route', () => {
  let t: TestApp;
  let fastPort: number;
  let referencePort: number;
  let reference: Server;
  let tokens: Record<string, string>;
  let etag: string;
  const { logStream, lines } = capturedLog();

  beforeAll(async () => {
    t = await startTestApp({ authFailureMax: 0, ofrepRateLimitMax: 1_000_000, logLevel: 'info' }, { logStream });
    await createTenant(t, 'alpha');
    await createTenant(t, 'beta');
    tokens = {
      alpha: await createPrincipal(t, 'service', 'alpha'),
      beta: await createPrincipal(t, 'service', 'beta'),
      compliance: await createPrincipal(t, 'compliance'),
      unknown: 'cln_this-token-was-never-issued-0000000000',
      malformed: 'not a token',
    };
    const revoked = await t
      .as(OPERATOR_TOKEN)
      .post('/v1/principals')
      .send({ name: 'revoked', role: 'service', tenant: 'beta' })
      .expect(201);
    tokens.revoked = revoked.body.token as string;
    await t
      .as(OPERATOR_TOKEN)
      .post(`/v1/principals/${revoked.body.id as string}/revoke`)
      .expect(200);
    await t.as(OPERATOR_TOKEN).put('/v1/tenants/alpha/options/ui_language').send({ value: 'fr', reason: 'agreement test' }).expect(200);
    const fastify = t.app.getHttpAdapter().getInstance();
    fastPort = await listen(t.app.getHttpServer());
    // Fastify's request handler alone: what the server ran before the fast path was put in front.
    reference = createServer(fastify.routing);
    reference.keepAliveTimeout = t.app.getHttpServer().keepAliveTimeout;
    referencePort = await listen(reference);
    const first = await send(fastPort, {
      path: BULK,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.alpha}` },
      body: '{}',
    });
    etag = first.headers.etag as string;
    expect(etag).toBeDefined();
  });
  afterAll(async () => {
    await new Promise((r) => reference?.close(r));
    await t?.stop();
  });

  const key = fc.constantFrom(
    'ui_language',
    'revote',
    'audit_webhook_url',
    'vote_weights',
    'no_such_flag',
    'UI_LANGUAGE',
    'a.b-c',
    'x'.repeat(100),
    'x'.repeat(101),
    'ui%5Flanguage',
    '',
  );
  const request: fc.Arbitrary<Sent> = fc
    .record({
      single: fc.option(key, { nil: undefined }),
      query: fc.constantFrom('', '', '', '?x=1'),
      token: fc.constantFrom(...['alpha', 'alpha', 'beta', 'compliance', 'revoked', 'unknown', 'malformed', 'none']),
      scheme: fc.constantFrom('Bearer', 'Bearer', 'Bearer', 'bearer', 'Basic'),
      type: fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'Application/JSON', 'text/plain'),
      ifNoneMatch: fc.constantFrom('none', 'none', 'etag', 'weak', '*', '"other"', 'list'),
      body: fc.oneof(
        fc.constantFrom(
          '{}',
          '{"context":{"targetingKey":"voter-1"}}',
          '{"context":{"tenant":"alpha"}}',
          '{"context":{"tenant":"beta"}}',
          '{"context":{"tenant":"ALPHA"}}',
          '{"context":5}',
          '{"context":{"targetingKey":7}}',
          '{"other":1}',
          '{"context":{"tenant":""}}',
          '{bad json',
          '{"__proto__":{"polluted":1}}',
          '{"constructor":{"prototype":{"polluted":1}}}',
          '[]',
          'null',
          '"text"',
          '',
          ' ',
        ),
        fc.json({ maxDepth: 3 }),
        fc.string({ maxLength: 40 }),
      ),
    })
    .map(({ single, query, token, scheme, type, ifNoneMatch, body }) => {
      const headers: Record<string, string> = { 'content-type': type };
      if (token !== 'none') headers.authorization = `${scheme} ${tokens[token]}`;
      const tag = { none: undefined, etag, weak: `W/${etag}`, '*': '*', '"other"': '"other"', list: `"a", ${etag}` }[ifNoneMatch];
      if (tag !== undefined) headers['if-none-match'] = tag;
      return { path: `${single === undefined ? BULK : `${BULK}/${single}`}${query}`, headers, body };
    });

  it('answers a seeded corpus of requests as the reference route does', async () => {
    const sendSpy = jest.spyOn(FastReply.prototype, 'send');
    let servedFast = 0;
    try {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const calls = sendSpy.mock.calls.length;
          const fast = await send(fastPort, r);
          servedFast += sendSpy.mock.calls.length - calls;
          const ref = await send(referencePort, r);
          expect(comparable(fast)).toEqual(comparable(ref));
        }),
        { seed: 20261204, numRuns: 300 },
      );
    } finally {
      sendSpy.mockRestore();
    }
    // The corpus reaches the fast path, and Fastify for what it declines (query strings, other types…).
    expect(servedFast).toBeGreaterThan(100);
    expect(servedFast).toBeLessThan(300);
  });

  it('a refused evaluation writes the same log line from both paths', async () => {
    const r: Sent = { path: BULK, headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.unknown}` }, body: '{}' };
    const logged = async (port: number) => {
      const from = lines.length;
      const answer = await send(port, r);
      const id = answer.headers['x-request-id'];
      const mine = lines.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>);
      const completed = mine.filter((l) => l.requestId === id && l.msg === 'request completed');
      expect(completed).toHaveLength(1);
      const { time, pid, hostname, requestId, responseTime, req, ...rest } = completed[0]!;
      expect(typeof responseTime).toBe('number');
      // The two servers listen on ports of their own, and each request comes from a port of its own.
      const { host, remotePort, ...request } = req as Record<string, unknown>;
      expect(host).toBe(`127.0.0.1:${port}`);
      expect(remotePort).toEqual(expect.any(Number));
      return { ...rest, req: request };
    };
    const fast = await logged(fastPort);
    expect(fast).toEqual(await logged(referencePort));
    expect(fast).toMatchObject({ res: { statusCode: 401 }, level: 30 });
    // A good evaluation writes none, from either.
    const from = lines.length;
    await send(fastPort, { ...r, headers: { ...r.headers, authorization: `Bearer ${tokens.alpha}` } });
    expect(lines.slice(from).filter((l) => l.includes('request completed'))).toEqual([]);
  });
});

/** The limits are shared: the fast path and the reference count into the same counters and refuse alike. */
describe('evaluation fast path: limits and metrics as on the Fastify route', () => {
  let t: TestApp;
  let fastPort: number;
  let referencePort: number;
  let reference: Server;
  let limited: string;
  let counted: string;
  beforeAll(async () => {
    t = await startTestApp({ authFailureMax: 2, ofrepRateLimitMax: 2 });
    await createTenant(t, 'gamma');
    limited = await createPrincipal(t, 'service', 'gamma');
    counted = await createPrincipal(t, 'service', 'gamma', 'metrics');
    fastPort = await listen(t.app.getHttpServer());
    reference = createServer(t.app.getHttpAdapter().getInstance().routing);
    reference.keepAliveTimeout = t.app.getHttpServer().keepAliveTimeout;
    referencePort = await listen(reference);
  });
  afterAll(async () => {
    await new Promise((r) => reference?.close(r));
    await t?.stop();
  });

  /** Both answers, Retry-After aside (whole seconds to the window's end: it may tick between the two). */
  const both = async (r: Sent) => {
    const spy = jest.spyOn(FastReply.prototype, 'send');
    const fast = await send(fastPort, r);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    const ref = await send(referencePort, r);
    const retry = [fast, ref].map((a) => Number(a.headers['retry-after']));
    delete fast.headers['retry-after'];
    delete ref.headers['retry-after'];
    expect(comparable(fast)).toEqual(comparable(ref));
    return { status: fast.status, retry };
  };

  it('counts fast-path answers in the HTTP metrics by route template and status', async () => {
    const { metricsRegistry } = await import('#observability');
    const count = async (route: string, status: string) => {
      const metric = await metricsRegistry.getSingleMetric('cloison_http_requests_total')?.get();
      return (
        metric?.values.find((v) => v.labels.route === route && String(v.labels.status) === status && v.labels.method === 'POST')?.value ?? 0
      );
    };
    const before = [await count(BULK, '200'), await count(`${BULK}/:key`, '404')];
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${counted}` };
    expect((await send(fastPort, { path: BULK, headers, body: '{}' })).status).toBe(200);
    expect((await send(fastPort, { path: `${BULK}/no_such_flag`, headers, body: '{}' })).status).toBe(404);
    expect([await count(BULK, '200'), await count(`${BULK}/:key`, '404')]).toEqual([before[0]! + 1, before[1]! + 1]);
  });

  it('the per-token evaluation limit: counted by either path, 429 from both past it', async () => {
    const r: Sent = { path: BULK, headers: { 'content-type': 'application/json', authorization: `Bearer ${limited}` }, body: '{}' };
    expect((await both(r)).status).toBe(200);
    const refused = await both(r);
    expect(refused.status).toBe(429);
    for (const s of refused.retry) expect(s).toBeGreaterThanOrEqual(1);
  });

  it('failed authentications per address: counted by either path, 429 from both past the limit', async () => {
    const r: Sent = {
      path: BULK,
      headers: { 'content-type': 'application/json', authorization: 'Bearer cln_guessed-000000000000000000' },
      body: '{}',
    };
    expect((await both(r)).status).toBe(401);
    expect((await both(r)).status).toBe(429);
  });
});
