import type { ArgumentMetadata, ExceptionFilter, PipeTransform } from '@nestjs/common';
import {
  CUSTOM_ROUTE_ARGS_METADATA,
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  REDIRECT_METADATA,
  RENDER_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
  SSE_METADATA,
} from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ApplicationConfig } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { RouteParamsFactory } from '@nestjs/core/router/route-params-factory.js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, RouteHandlerMethod, RouteOptions } from 'fastify';
import { andThen, type MaybePromise } from './maybe-async.js';
import { globalEnhancers, routeEnhancers, type GlobalEnhancers, type RouteHandler } from './route-introspector.js';

/** Enhancers that differ from what a directly served route reproduces, one line each; [] when none. */
export function enhancerDifferences(kind: string, actual: GlobalEnhancers, expected: GlobalEnhancers): string[] {
  return (Object.keys(expected) as (keyof GlobalEnhancers)[])
    .filter((k) => actual[k].join() !== expected[k].join())
    .map((k) => `${kind} ${k}: ${actual[k].join(', ') || 'none'} (served directly: ${expected[k].join(', ') || 'none'})`);
}

/** What Nest runs around every route that direct serving reproduces (here and for OFREP): the policy guard, the error filter. */
export const REPRODUCED_GLOBAL: GlobalEnhancers = { guards: ['PolicyGuard'], pipes: [], interceptors: [], filters: ['HttpErrorFilter'] };
const NONE: GlobalEnhancers = { guards: [], pipes: [], interceptors: [], filters: [] };

/** The global guard's one check (PolicyGuard.authorize), given by the caller: libs/http cannot import it. */
export type Authorize = (
  req: FastifyRequest,
  handler: RouteHandler['handler'],
  controller: RouteHandler['controller'],
) => MaybePromise<unknown>;

type Extract = (req: FastifyRequest, reply: FastifyReply, host: ExecutionContextHost) => unknown;
interface Argument {
  index: number;
  extract: Extract;
  pipes: PipeTransform[];
  metadata: ArgumentMetadata;
}

const NAMED: Partial<Record<RouteParamtypes, ArgumentMetadata['type']>> = {
  [RouteParamtypes.BODY]: 'body',
  [RouteParamtypes.QUERY]: 'query',
  [RouteParamtypes.PARAM]: 'param',
};
/** Parameter kinds read as Nest reads them (RouteParamsFactory); pipes run on BODY, QUERY and PARAM only. */
const PLAIN = new Set([RouteParamtypes.REQUEST, RouteParamtypes.HEADERS, RouteParamtypes.IP, ...Object.keys(NAMED).map(Number)]);

const isPipe = (p: unknown): p is PipeTransform =>
  typeof p === 'object' && p !== null && typeof (p as PipeTransform).transform === 'function';

/**
 * The handler's parameters as Nest's RouterExecutionContext resolves them, worked out once, or the
 * reasons it cannot be done here: a kind of parameter, a pipe class (made by Nest's injector) or a
 * pipe on something Nest does not pipe would be resolved differently, and the start is refused.
 */
function argumentsOf(route: RouteHandler): { args: Argument[]; refused: string[] } {
  const declared = (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.name) ?? {}) as Record<
    string,
    { index: number; data?: unknown; pipes?: unknown[]; factory?: (data: unknown, ctx: ExecutionContextHost) => unknown }
  >;
  const types = (Reflect.getMetadata('design:paramtypes', route.controller.prototype, route.name) ?? []) as unknown[];
  const factory = new RouteParamsFactory();
  const args: Argument[] = [];
  const refused: string[] = [];
  for (const [key, a] of Object.entries(declared)) {
    const where = `${route.controller.name}.${route.name} parameter ${a.index}`;
    const pipes = a.pipes ?? [];
    if (!pipes.every(isPipe)) refused.push(`${where}: a pipe class (only pipe instances are run directly)`);
    if (key.includes(CUSTOM_ROUTE_ARGS_METADATA)) {
      const make = a.factory;
      if (!make || pipes.length) refused.push(`${where}: a custom decorator with pipes`);
      else args.push({ index: a.index, extract: (_req, _reply, host) => make(a.data, host), pipes: [], metadata: { type: 'custom' } });
      continue;
    }
    const type = Number(key.split(':')[0]) as RouteParamtypes;
    const data = a.data as string;
    if (type === RouteParamtypes.RESPONSE) {
      // Nest sends what the handler returns only when the reply is passed through.
      if (Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, route.controller, route.name) !== true)
        refused.push(`${where}: @Res() without passthrough`);
      args.push({ index: a.index, extract: (_req, reply) => reply, pipes: [], metadata: { type: 'custom' } });
      continue;
    }
    if (!PLAIN.has(type)) {
      refused.push(`${where}: ${RouteParamtypes[type] ?? key} is not served directly`);
      continue;
    }
    const named = NAMED[type];
    if (!named && pipes.length) refused.push(`${where}: pipes on ${RouteParamtypes[type]}`);
    args.push({
      index: a.index,
      extract: (req, reply) => factory.exchangeKeyForValue(type, data, { req, res: reply, next: undefined as never }),
      pipes: pipes as PipeTransform[],
      metadata: { type: named ?? 'custom', data, metatype: types[a.index] as ArgumentMetadata['metatype'] },
    });
  }
  return { args, refused };
}

/** The value of one parameter, through its pipes in order (synchronously while they are). */
function piped(value: unknown, arg: Argument, at = 0): MaybePromise<unknown> {
  if (at === arg.pipes.length) return value;
  return andThen(arg.pipes[at]!.transform(value, arg.metadata) as MaybePromise<unknown>, (next) => piped(next, arg, at + 1));
}

function resolved(args: Argument[], req: FastifyRequest, reply: FastifyReply, host: ExecutionContextHost): MaybePromise<unknown[]> {
  const values: unknown[] = [];
  let pending: Promise<unknown>[] | undefined;
  for (const arg of args) {
    const value = piped(arg.extract(req, reply, host), arg);
    if (value instanceof Promise) (pending ??= []).push(value.then((v) => (values[arg.index] = v)));
    else values[arg.index] = value;
  }
  return pending ? Promise.all(pending).then(() => values) : values;
}

export interface DirectRoutes {
  /** Await after app.init(): throws unless every route was taken over and nothing Nest would run is skipped. */
  started(): Promise<void>;
}

/**
 * Routes whose Fastify handler runs the route's own steps without Nest's per-request pipeline
 * (its execution context, guard and pipe consumers and their promises): on a warm change about
 * a twentieth of the server's time per request. Every Fastify hook (security headers, rate limit,
 * request ids, access log lines, metrics) still runs, and the steps are Nest's, in Nest's order
 * and from the same code: `authorize` (PolicyGuard.authorize) with the policy the controller
 * declares, the status Nest sets, the parameters as Nest resolves them through the pipes the
 * controller declares, the controller method, `reply.send` of what it returns; whatever they
 * throw is answered by the global HttpErrorFilter, as Nest's exception handler would.
 *
 * Call before app.init(). `started` refuses to start when Nest would run anything else around
 * them (another global or route enhancer, a parameter or response decorator this does not
 * resolve, API versioning): then the route must be served by Nest again, or this taught it.
 */
export function serveRoutesDirectly(
  app: NestFastifyApplication,
  routes: RouteHandler[],
  authorize: Authorize,
  errors: ExceptionFilter,
): DirectRoutes {
  const fastify = app.getHttpAdapter().getInstance();
  const refused: string[] = [];
  const handlers = new Map<string, RouteHandlerMethod>();
  for (const route of routes) {
    const { args, refused: why } = argumentsOf(route);
    refused.push(...why, ...enhancerDifferences(`${route.controller.name}.${route.name}`, routeEnhancers(route), NONE));
    for (const key of [HEADERS_METADATA, REDIRECT_METADATA, RENDER_METADATA, SSE_METADATA]) {
      const found = Reflect.getMetadata(key, route.handler) as unknown;
      if (found !== undefined && !(Array.isArray(found) && found.length === 0))
        refused.push(`${route.controller.name}.${route.name}: ${key} is not served directly`);
    }
    const status = (Reflect.getMetadata(HTTP_CODE_METADATA, route.handler) as number | undefined) ?? (route.method === 'POST' ? 201 : 200);
    let instance: Record<string, Function>;
    try {
      instance = app.get(route.controller as new (...a: never[]) => object, { strict: false }) as Record<string, Function>;
    } catch {
      refused.push(`${route.controller.name}: not a controller of this application`);
      continue;
    }
    const method = instance[route.name] as (...a: unknown[]) => unknown;
    const failed = (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
      if (reply.sent) throw err;
      errors.catch(err, new ExecutionContextHost([req, reply, undefined]));
    };
    const handler: RouteHandlerMethod = (req, reply) => {
      // As Nest's adapter does for every route (requireNonEmptyParams): an empty path parameter is no match.
      for (const name in req.params as Record<string, string>) {
        if ((req.params as Record<string, string>)[name] === '') {
          reply.callNotFound();
          return undefined;
        }
      }
      const host = new ExecutionContextHost([req, reply, undefined], route.controller as never, route.handler);
      try {
        const done = andThen(authorize(req, route.handler, route.controller), () => {
          reply.status(status);
          return andThen(resolved(args, req, reply, host), (values) =>
            andThen(method.apply(instance, values) as MaybePromise<unknown>, (result) => void reply.send(result)),
          );
        });
        if (done instanceof Promise) return done.catch((err: unknown) => failed(err, req, reply));
      } catch (err) {
        failed(err, req, reply);
      }
      return undefined;
    };
    for (const path of route.paths) handlers.set(`${route.method} ${path}`, handler);
  }
  const taken = new Set<string>();
  fastify.addHook('onRoute', (route: RouteOptions) => {
    for (const m of [route.method].flat()) {
      const handler = handlers.get(`${m} ${route.url}`);
      if (handler) {
        route.handler = handler;
        taken.add(`${m} ${route.url}`);
      }
    }
  });
  const adapter = app.getHttpAdapter() as unknown as { createRouteParamsMatcher?(url: string): unknown };
  return {
    async started() {
      await fastify.ready();
      const missing = [...handlers.keys()].filter((k) => !taken.has(k));
      const skipped = [
        ...refused,
        ...missing.map((k) => `${k} was not registered with Fastify`),
        ...enhancerDifferences('global', globalEnhancers(app), REPRODUCED_GLOBAL),
        // Paths whose parameters the adapter matches again per request are not reproduced here.
        ...[...handlers.keys()]
          .filter((k) => adapter.createRouteParamsMatcher?.(k.slice(k.indexOf(' ') + 1)) !== undefined)
          .map((k) => `${k}: path parameters Nest's adapter matches again`),
        ...(app.get(ApplicationConfig).getVersioning() ? ['API versioning (route constraints)'] : []),
      ];
      if (skipped.length) throw new Error(`routes served directly would skip what Nest runs: ${skipped.join('; ')}`);
    },
  };
}
