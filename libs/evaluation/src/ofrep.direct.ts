import { ApplicationConfig } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, RouteHandlerMethod, RouteOptions } from 'fastify';
import { PolicyGuard, TooManyRequests, WindowCounter, type PolicyContext } from '#policy';
import {
  ADAPTER_HOOK,
  LIFECYCLE_HOOKS,
  andThen,
  REPRODUCED_GLOBAL,
  enhancerDifferences,
  globalEnhancers,
  rootHooks,
  routeEnhancers,
  routeHooks,
  routeOf,
  type GlobalEnhancers,
  type HookNames,
  type MaybePromise,
} from '#http';
import { serveBelowFastify, type HttpServing } from './ofrep.fast.js';
import { OFREP_BODY, OfrepController } from './ofrep.controller.js';
import { OfrepErrorFilter } from './ofrep.errors.js';
import type { OfrepEvaluationBody } from './ofrep.schemas.js';

type Method = 'bulk' | 'single';

/**
 * What Nest's pipeline would run around the evaluation routes, and the direct handlers reproduce:
 * the global PolicyGuard (authorize), the controller's OfrepErrorFilter (which answers every error
 * before the global HttpErrorFilter could). Anything else registered globally or on the
 * controller would be skipped: unreproducedEnhancers names it and the start fails.
 */
const REPRODUCED = {
  global: REPRODUCED_GLOBAL,
  route: { guards: [], pipes: [], interceptors: [], filters: ['OfrepErrorFilter'] } satisfies GlobalEnhancers,
};

/** Enhancers Nest would apply to an evaluation route that its direct serving does not run; [] when none. */
export function unreproducedEnhancers(app: Pick<NestFastifyApplication, 'get'>): string[] {
  return [
    ...enhancerDifferences('global', globalEnhancers(app), REPRODUCED.global),
    ...(['bulk', 'single'] as const).flatMap((m) =>
      enhancerDifferences(`OfrepController.${m}`, routeEnhancers(routeOf(OfrepController, m)), REPRODUCED.route),
    ),
  ];
}

/**
 * The Fastify hooks every route runs, as the fast path reproduces them: Nest's adapter's own
 * (inert unless CORS, security hooks, middleware hooks or shutdown are in play: checked below and
 * per request), the security headers (http-hardening), the x-request-id header and the metrics
 * (app.factory). Any other hook, on every route or on an evaluation route, fails the start.
 */
const REPRODUCED_HOOKS: Partial<HookNames> = {
  onRequest: [...Array<string>(6).fill(ADAPTER_HOOK), 'securityHeaders'],
  onSend: ['requestIdHeader'],
  onResponse: [ADAPTER_HOOK, 'httpMetrics'],
};
/** What makes the adapter's hooks do something (enableCors, useSecurityHeaders, middleware hooks). */
const ADAPTER_SWITCHES = ['corsHook', 'securityHook', 'onRequestHook', 'onResponseHook'] as const;

/** Fastify hooks (and adapter features) the fast path would skip on the evaluation routes; [] when none. */
export async function unreproducedHooks(
  app: Pick<NestFastifyApplication, 'get' | 'getHttpAdapter'>,
  routes: RouteOptions[],
): Promise<string[]> {
  const root = await rootHooks(app.getHttpAdapter().getInstance());
  const adapter = app.getHttpAdapter() as unknown as Record<string, unknown>;
  return [
    ...LIFECYCLE_HOOKS.filter((h) => root[h].join() !== (REPRODUCED_HOOKS[h] ?? []).join()).map(
      (h) => `Fastify ${h} hooks: ${root[h].join(', ') || 'none'} (served directly: ${(REPRODUCED_HOOKS[h] ?? []).join(', ') || 'none'})`,
    ),
    ...routes.flatMap((route) => {
      const own = routeHooks(route);
      return [
        ...LIFECYCLE_HOOKS.filter((h) => own[h].length > 0).map(
          (h) => `${route.url} ${h} hooks: ${own[h].join(', ')} (served directly: none)`,
        ),
        ...(route.logLevel || route.logSerializers ? [`${route.url} log level or serializers of its own`] : []),
      ];
    }),
    ...ADAPTER_SWITCHES.filter((k) => adapter[k] !== undefined && adapter[k] !== null).map((k) => `FastifyAdapter ${k} set`),
    ...(app.get(ApplicationConfig).getVersioning() ? ['API versioning (route constraints)'] : []),
  ];
}

/**
 * Evaluation is the voting platform's per-voter hot path. Its two routes are declared by
 * OfrepController like any other (path, policy, request schema: the OpenAPI document and the
 * deny-by-default test read them there) but Fastify calls them without Nest's per-request
 * pipeline, whose promises and context objects cost about a fifth of a warm evaluation.
 *
 * The same checks run, from the same code, in the same order: PolicyGuard.authorize with the
 * policy declared on the controller method (token, tenant binding, role), the route's SchemaPipe
 * on the body, then the controller method itself; whatever they throw is answered by
 * OfrepErrorFilter, as when Nest runs the route. Errors Fastify raises before the handler (body
 * not JSON, too large) reach Nest's error handling as before. Fastify hooks (security headers,
 * request ids, metrics, logs) apply as to any route; a Nest guard, pipe, interceptor or filter
 * added globally or on the controller would not: the returned check refuses to start then
 * (unreproducedEnhancers), until it is run here too and listed in REPRODUCED.
 *
 * With `serving` (what the application's hooks use), the common case of both routes is answered
 * below Fastify, at the Node server (ofrep.fast.ts), by the same steps; the Fastify route stays
 * the reference and answers all the rest. Then Fastify's hooks are skipped too: any hook other than
 * the ones the fast path reproduces (REPRODUCED_HOOKS) refuses the start (unreproducedHooks).
 *
 * Call before app.init(); await the returned start after init: it waits for Fastify to be ready,
 * throws unless both routes were taken over and nothing Nest or Fastify would run around them is
 * skipped, and puts the fast path in front.
 */
export interface OfrepLimit {
  /** Evaluations per principal (one token each) and window; 0 = no limit. */
  max: number;
  windowMs: number;
}

export function serveOfrepDirectly(app: NestFastifyApplication, limit: OfrepLimit, serving?: HttpServing): () => Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const guard = app.get(PolicyGuard);
  const controller = app.get(OfrepController);
  const errors = new OfrepErrorFilter();
  const counter = limit.max > 0 ? new WindowCounter(limit.windowMs) : undefined;
  // Counted once the token is known good (unknown ones are the guard's failed authentications),
  // by principal id: a number per token, no hashing on the hot path.
  const within = (ctx: PolicyContext): PolicyContext => {
    if (counter && counter.add(ctx.principal.id) > limit.max) {
      throw new TooManyRequests(
        `evaluation rate limit of ${limit.max} per ${limit.windowMs} ms exceeded for this token`,
        counter.retryAfterSeconds(),
      );
    }
    return ctx;
  };

  const authorised = (req: FastifyRequest, handler: Method) =>
    andThen(guard.authorize(req, OfrepController.prototype[handler], OfrepController), (ctx) => {
      if (!ctx) throw new Error('evaluation routes are never public');
      return within(ctx);
    });
  const failed = (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    if (reply.sent) throw err;
    errors.answer(err, req, reply);
  };
  // Whatever the steps throw, now or later, is answered like Nest's exception filter would.
  const run = (req: FastifyRequest, reply: FastifyReply, steps: () => MaybePromise<void>) => {
    try {
      const done = steps();
      if (done instanceof Promise) return done.catch((err: unknown) => failed(err, req, reply));
    } catch (err) {
      failed(err, req, reply);
    }
    return undefined; // answered already
  };
  /** The route's work once the body is parsed: policy, limit, request schema, the controller method. */
  const evaluate = (req: FastifyRequest, reply: FastifyReply, handler: Method, parsed: unknown, key = '') =>
    run(req, reply, () =>
      andThen(authorised(req, handler), (ctx) => {
        const body = OFREP_BODY.transform(parsed) as OfrepEvaluationBody;
        return handler === 'bulk'
          ? controller.bulk(ctx, body, req.headers['if-none-match'], reply)
          : controller.single(ctx, key, body, reply);
      }),
    );

  const handlers: Record<Method, RouteHandlerMethod> = {
    bulk: (req, reply) => evaluate(req, reply, 'bulk', req.body),
    single(req, reply) {
      const key = (req.params as { key?: string }).key ?? '';
      // As Nest does for every route: an empty path parameter is no match.
      if (key === '') {
        reply.callNotFound();
        return undefined;
      }
      return evaluate(req, reply, 'single', req.body, key);
    },
  };

  const routes = new Map<string, Method>(
    (['bulk', 'single'] as const).map((m) => {
      const route = routeOf(OfrepController, m);
      if (route.method !== 'POST' || route.paths.length !== 1) throw new Error(`OfrepController.${m} is not one POST route`);
      return [route.paths[0]!, m];
    }),
  );
  const taken = new Map<Method, RouteOptions>();
  fastify.addHook('onRoute', (route) => {
    const method = routes.get(route.url);
    if (method && [route.method].flat().includes('POST')) {
      route.handler = handlers[method];
      taken.set(method, route);
    }
  });
  return async () => {
    // Hooks and routes are all in place once Fastify is ready.
    await fastify.ready();
    if (taken.size !== routes.size) throw new Error(`evaluation routes not served directly: ${[...routes.keys()].join(', ')}`);
    const skipped = [...unreproducedEnhancers(app), ...(serving ? await unreproducedHooks(app, [...taken.values()]) : [])];
    if (skipped.length) throw new Error(`the evaluation routes served directly would skip what Nest runs: ${skipped.join('; ')}`);
    if (!serving) return;
    const [bulkPath] = [...routes].find(([, m]) => m === 'bulk')!;
    if (routes.get(`${bulkPath}/:key`) !== 'single') throw new Error('the single-flag route is not the bulk route and /:key');
    const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
    // The parser Nest's adapter registers for application/json (getDefaultBodyParser), made once.
    const json = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
    const adapter = app.getHttpAdapter() as unknown as { isShuttingDown?: boolean };
    serveBelowFastify(
      fastify.server,
      bulkPath,
      { ...serving, draining: () => serving.draining() || adapter.isShuttingDown === true },
      {
        // Nest's adapter hands it the body as a Buffer (parseAs: 'buffer'), as here.
        parse: (req, body, done) => json(req, body as unknown as string, done),
        evaluate: (req, reply, route, parsed) => evaluate(req, reply, route.handler, parsed, route.key),
        failed,
      },
    );
  };
}
