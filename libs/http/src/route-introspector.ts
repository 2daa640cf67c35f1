import { RequestMethod, type CanActivate, type ExceptionFilter, type NestInterceptor, type PipeTransform } from '@nestjs/common';
import {
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  PIPES_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ApplicationConfig, ModulesContainer } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';

/**
 * The one reading of Nest's route metadata: the OpenAPI document (route-catalog), the evaluation
 * routes Fastify serves directly (ofrep.direct) and the route tests all see routes through it.
 */

export type ControllerClass = Function;

/** One handler of a controller, as its decorators declare it. */
export interface RouteHandler {
  controller: ControllerClass;
  name: string;
  handler: (...args: never[]) => unknown;
  /** GET, POST, … */
  method: string;
  /** Full paths, Fastify style (`/v1/tenants/:tenant`): one per controller path × handler path. */
  paths: string[];
}

/** What one handler parameter is bound to (@Body, @Query, @Param, @Headers, …) and its pipes. */
export interface RouteArgument {
  source: 'body' | 'query' | 'param' | 'headers' | 'other';
  data: unknown;
  pipes: unknown[];
}

const SOURCES = new Map<number, RouteArgument['source']>([
  [RouteParamtypes.BODY, 'body'],
  [RouteParamtypes.QUERY, 'query'],
  [RouteParamtypes.PARAM, 'param'],
  [RouteParamtypes.HEADERS, 'headers'],
]);

export function joinPath(...parts: string[]): string {
  return `/${parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .join('/')}`;
}

const asList = (v: string | string[] | undefined): string[] => (Array.isArray(v) ? v : [v ?? '']);

/** The route handlers a controller class declares, in the order of its prototype. */
export function controllerRoutes(controller: ControllerClass): RouteHandler[] {
  const bases = asList(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined);
  const proto = controller.prototype as Record<string, unknown>;
  const routes: RouteHandler[] = [];
  for (const name of Object.getOwnPropertyNames(proto)) {
    const handler = proto[name];
    if (name === 'constructor' || typeof handler !== 'function') continue;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    const own = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
    if (method === undefined || own === undefined) continue;
    const paths = bases.flatMap((b) => asList(own).map((p) => joinPath(b, p)));
    routes.push({ controller, name, handler: handler as RouteHandler['handler'], method: RequestMethod[method] as string, paths });
  }
  return routes;
}

/** One named handler of a controller; throws when it is not a route. */
export function routeOf(controller: ControllerClass, name: string): RouteHandler {
  const route = controllerRoutes(controller).find((r) => r.name === name);
  if (!route) throw new Error(`${controller.name}.${name} is not a route`);
  return route;
}

/** The parameters of a handler with what they are bound to and the pipes they pass through. */
export function routeArguments(route: Pick<RouteHandler, 'controller' | 'name'>): RouteArgument[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.name) ?? {}) as Record<
    string,
    { data?: unknown; pipes?: unknown[] }
  >;
  // Keys are "<paramtype>:<index>" (custom decorators use their own prefix).
  return Object.entries(args).map(([key, a]) => ({
    source: SOURCES.get(Number(key.split(':')[0])) ?? 'other',
    data: a.data,
    pipes: a.pipes ?? [],
  }));
}

/** Every controller class the application registered, in every module. */
export function registeredControllers(app: Pick<INestApplicationContext, 'get'>): ControllerClass[] {
  const controllers = new Set<ControllerClass>();
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) if (wrapper.metatype) controllers.add(wrapper.metatype);
  }
  return [...controllers];
}

/** Every route handler the application serves. */
export function registeredRoutes(app: Pick<INestApplicationContext, 'get'>): RouteHandler[] {
  return registeredControllers(app).flatMap(controllerRoutes);
}

/** The guards, pipes, interceptors and filters Nest applies to every route, by class name. */
export interface GlobalEnhancers {
  guards: string[];
  pipes: string[];
  interceptors: string[];
  filters: string[];
}

const names = (list: object[]) => list.map((e) => e.constructor.name).sort();
const wrapped = (list: { metatype?: unknown; name?: unknown }[]) =>
  list.map((w) => (typeof w.metatype === 'function' ? w.metatype.name : String(w.name))).sort();

/** What Nest's per-request pipeline runs for every route: useGlobal…() and APP_GUARD/APP_PIPE/… providers. */
export function globalEnhancers(app: Pick<INestApplicationContext, 'get'>): GlobalEnhancers {
  const config = app.get(ApplicationConfig);
  return {
    guards: [...names(config.getGlobalGuards() as CanActivate[]), ...wrapped(config.getGlobalRequestGuards())].sort(),
    pipes: [...names(config.getGlobalPipes() as PipeTransform[]), ...wrapped(config.getGlobalRequestPipes())].sort(),
    interceptors: [...names(config.getGlobalInterceptors() as NestInterceptor[]), ...wrapped(config.getGlobalRequestInterceptors())].sort(),
    filters: [...names(config.getGlobalFilters() as ExceptionFilter[]), ...wrapped(config.getGlobalRequestFilters())].sort(),
  };
}

/** The guards, pipes, interceptors and filters a controller and one of its handlers declare (@UseGuards, …). */
export function routeEnhancers(route: Pick<RouteHandler, 'controller' | 'handler'>): GlobalEnhancers {
  const declared = (key: string) =>
    [route.controller, route.handler]
      .flatMap((target) => (Reflect.getMetadata(key, target) ?? []) as unknown[])
      .map((e) => (typeof e === 'function' ? e.name : (e as object).constructor.name))
      .sort();
  return {
    guards: declared(GUARDS_METADATA),
    pipes: declared(PIPES_METADATA),
    interceptors: declared(INTERCEPTORS_METADATA),
    filters: declared(EXCEPTION_FILTERS_METADATA),
  };
}
