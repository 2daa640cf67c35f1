import Fastify from 'fastify';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { RequestLogController } from './request-log.controller.js';

/** A Fastify server with the controller, the messages it logged, and a way to call it. */
async function serverWith(slowMs?: number, level = 'info') {
  const lines: {
    msg: string;
    level: number;
    req?: { method: string; url: string };
    res?: { statusCode: number };
    responseTime?: number;
  }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const app = Fastify({
    loggerInstance: pino({ level }, stream),
    logController: new RequestLogController({}, slowMs),
    forceCloseConnections: true,
  });
  app.post('/ofrep/v1/evaluate/flags', async (req, reply) => reply.code(Number((req.headers['x-status'] as string) ?? 200)).send({}));
  app.get('/v1/tenants', async () => []);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  lines.length = 0; // the 'Server listening' line
  const call = (method: string, path: string, status = 200) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { 'x-status': String(status), ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      body: method === 'POST' ? '{}' : undefined,
    }).then((r) => r.text());
  return { lines, app, call };
}

describe('RequestLogController', () => {
  it('logs a REST request once, when it completes, and evaluations only when refused, failed or slow', async () => {
    const { lines, app, call } = await serverWith();
    try {
      await call('GET', '/v1/tenants');
      expect(lines).toEqual([
        expect.objectContaining({
          level: 30,
          msg: 'request completed',
          req: expect.objectContaining({ method: 'GET', url: '/v1/tenants' }),
          res: expect.objectContaining({ statusCode: 200 }),
          responseTime: expect.any(Number),
        }),
      ]);
      lines.length = 0;
      for (const status of [200, 304, 400, 404]) await call('POST', '/ofrep/v1/evaluate/flags', status);
      expect(lines).toEqual([]);
      for (const status of [401, 403, 429, 500, 503]) await call('POST', '/ofrep/v1/evaluate/flags', status);
      expect(lines.map((l) => [l.msg, l.res?.statusCode])).toEqual([401, 403, 429, 500, 503].map((s) => ['request completed', s]));
    } finally {
      await app.close();
    }
  });

  it("writes a REST request's arrival too at debug", async () => {
    const { lines, app, call } = await serverWith(undefined, 'debug');
    try {
      await call('GET', '/v1/tenants');
      expect(lines.map((l) => [l.msg, l.level])).toEqual([
        ['incoming request', 20],
        ['request completed', 30],
      ]);
      lines.length = 0;
      await call('POST', '/ofrep/v1/evaluate/flags');
      expect(lines).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('logs an evaluation slower than the threshold', async () => {
    const { lines, app, call } = await serverWith(0);
    try {
      await call('POST', '/ofrep/v1/evaluate/flags');
      expect(lines.map((l) => [l.msg, l.res?.statusCode])).toEqual([['request completed', 200]]);
    } finally {
      await app.close();
    }
  });
});
