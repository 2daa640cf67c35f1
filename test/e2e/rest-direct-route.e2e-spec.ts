import {
  Body,
  Controller,
  createParamDecorator,
  Injectable,
  Module,
  Put,
  Res,
  Session,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { routeOf, serveRoutesDirectly } from '#http';
import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;

/** What must be the same from both: all but each answer's own date, request id, ids and times. */
function comparable(res: Response) {
  const { date, 'x-request-id': id, 'x-ratelimit-reset': reset, ...headers } = res.headers as Record<string, string>;
  expect(date).toBeDefined();
  const body = res.text.replace(UUID, '<uuid>').replace(TIME, '<time>');
  if (id !== undefined && res.type === 'application/json' && res.text.includes('"requestId"')) expect(res.body.requestId).toBe(id);
  return { status: res.status, headers, body, reset: reset === undefined ? 'none' : 'set' };
}

interface Sent {
  method: 'get' | 'put';
  token: string | undefined;
  tenant: string;
  key: string;
  /** A JSON body, raw text, or nothing. */
  body: unknown;
  raw: boolean;
  type: string | undefined;
  ifMatch: string | undefined;
}

/**
 * The REST hot path (one option read or changed) is served without Nest's per-request pipeline
 * (serveRoutesDirectly). Two services built alike, one serving the routes directly and one through
 * Nest, are sent the same seeded corpus in the same order: every answer is the same (status,
 * headers, body), refusals included (401, 403, 404 for a foreign or unknown tenant, 400 for a bad
 * body or If-Match, 412 for a stale one, 413, 415, 422 for a value the option refuses).
 */
describe('REST routes served directly answer as Nest does', () => {
  let direct: TestApp;
  let nest: TestApp;
  const tokens: Record<string, string | undefined> = {};

  beforeAll(async () => {
    direct = await startTestApp();
    nest = await startTestApp({}, { directRoutes: false });
    for (const t of [direct, nest]) {
      await createTenant(t, 'alpha', 1);
      await createTenant(t, 'beta', 1);
    }
    // The same principals on both (tokens are random: each service has its own of each).
    const own = async (t: TestApp) => ({
      operator: OPERATOR_TOKEN,
      admin: await createPrincipal(t, 'client_admin', 'alpha'),
      compliance: await createPrincipal(t, 'compliance'),
      service: await createPrincipal(t, 'service', 'alpha'),
    });
    const [d, n] = [await own(direct), await own(nest)];
    for (const name of Object.keys(d) as (keyof typeof d)[]) {
      tokens[`${name}:direct`] = d[name];
      tokens[`${name}:nest`] = n[name];
    }
  }, 120_000);
  afterAll(async () => {
    await direct?.stop();
    await nest?.stop();
  });

  const sent: fc.Arbitrary<Sent> = fc.record({
    method: fc.constantFrom('get', 'put'),
    token: fc.constantFrom('operator', 'operator', 'admin', 'compliance', 'service', 'cln_unknown-token-0000000000', undefined),
    tenant: fc.constantFrom('alpha', 'alpha', 'beta', 'nowhere', 'ALPHA'),
    key: fc.constantFrom('retention_days', 'retention_days', 'no_such_option', 'retention_days%20x'),
    body: fc.oneof(
      fc.record({ value: fc.integer({ min: -5, max: 4000 }), reason: fc.constantFrom('because', 'x', 'a reason') }),
      fc.record({ value: fc.constantFrom('thirty', null, true), reason: fc.constant('typed wrong') }),
      fc.constant({ value: 30 }),
      fc.constant({ value: 30, reason: 'extra', more: 1 }),
      fc.constant('{"value": 3'),
      fc.constant('x'.repeat(2_000_000)),
      fc.constant(undefined),
    ),
    raw: fc.boolean(),
    type: fc.constantFrom('application/json', 'application/json', 'text/plain', undefined),
    ifMatch: fc.constantFrom(undefined, undefined, '*', '"1"', 'W/"2"', '"999"', 'garbage'),
  });

  async function send(t: TestApp, which: 'direct' | 'nest', s: Sent): Promise<Response> {
    let r = t.http[s.method](`/v1/tenants/${s.tenant}/options/${s.key}`);
    const token = s.token === undefined ? undefined : (tokens[`${s.token}:${which}`] ?? s.token);
    if (token) r = r.set('authorization', `Bearer ${token}`);
    if (s.ifMatch) r = r.set('if-match', s.ifMatch);
    if (s.method === 'get' || s.body === undefined) return r;
    const text = typeof s.body === 'string' ? s.body : JSON.stringify(s.body);
    if (s.type) r = r.set('content-type', s.type);
    return r.send(s.raw || typeof s.body === 'string' ? Buffer.from(text) : text);
  }

  it('gives the same answer to every request of a seeded corpus, changes and refusals alike', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(sent, async (s) => {
        const a = await send(direct, 'direct', s);
        const b = await send(nest, 'nest', s);
        statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
        expect(comparable(a)).toEqual(comparable(b));
      }),
      {
        seed: 1205,
        numRuns: 300,
        // A stale version and a current one, besides what the seed draws.
        examples: ['"999"', '"1"', '*'].map((ifMatch): [Sent] => [
          {
            method: 'put',
            token: 'operator',
            tenant: 'alpha',
            key: 'retention_days',
            body: { value: 44, reason: 'example' },
            raw: false,
            type: 'application/json',
            ifMatch,
          },
        ]),
      },
    );
    // The corpus reaches the answers it is meant to compare.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 400, 401, 403, 404, 412, 413, 415]));
  }, 300_000);

  it('refuses to start when Nest would run something the direct handlers do not', async () => {
    @Module({ controllers: [OddController] })
    class OddModule {}
    const app = await NestFactory.create<NestFastifyApplication>(OddModule, new FastifyAdapter(), { logger: false });
    try {
      const served = serveRoutesDirectly(app, [routeOf(OddController, 'odd')], () => undefined, { catch: () => undefined });
      await app.init();
      const refusal = await served.started().then(
        () => 'started',
        (err: Error) => err.message,
      );
      for (const named of [
        'OddController.odd parameter 0: @Res() without passthrough',
        'OddController.odd parameter 1: SESSION is not served directly',
        'OddController.odd parameter 2: a pipe class (only pipe instances are run directly)',
        'OddController.odd parameter 3: a custom decorator with pipes',
        'OddController.odd interceptors: Counting (served directly: none)',
        'global guards: none (served directly: PolicyGuard)',
        'global filters: none (served directly: HttpErrorFilter)',
      ])
        expect(refusal).toContain(named);
    } finally {
      await app.close();
    }
  });
});

@Injectable()
class Counting implements NestInterceptor {
  intercept(_ctx: ExecutionContext, next: CallHandler) {
    return next.handle();
  }
}
@Injectable()
class Trim implements PipeTransform {
  transform(value: unknown) {
    return value;
  }
}

const Custom = createParamDecorator(() => 1);

@Controller('v1/odd')
class OddController {
  @Put(':x')
  @UseInterceptors(Counting)
  odd(@Res() _reply: unknown, @Session() _session: unknown, @Body(Trim) _body: unknown, @Custom(new Trim()) _x: unknown) {
    return undefined;
  }
}
