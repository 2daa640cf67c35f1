import { ParseIntPipe, ParseUUIDPipe } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { POLICY_KEY, PUBLIC_KEY, type RoutePolicy } from '#policy';
import { SchemaPipe } from './schema.pipe.js';
import { ANSWERS_KEY, type DeclaredAnswers } from './answers.decorator.js';
import { controllerRoutes, routeArguments, type ControllerClass, type RouteArgument } from './route-introspector.js';

/** What the code declares about one route: the source the OpenAPI document is built from. */
export interface DeclaredRoute {
  method: string;
  /** Fastify-style path, e.g. /v1/tenants/:tenant/options/:key */
  path: string;
  controller: string;
  handler: string;
  policy: RoutePolicy | null;
  isPublic: boolean;
  status: number;
  body: object | null;
  query: object | null;
  headers: string[];
  /** Schemas of path parameters that a pipe checks (others are plain strings). */
  params: Record<string, object>;
  /** What the route declares it answers (@Answers); null when it declares nothing. */
  answers: DeclaredAnswers | null;
}

function paramSchemas(args: RouteArgument[]): Record<string, object> {
  const out: Record<string, object> = {};
  for (const a of args) {
    if (typeof a.data !== 'string') continue;
    if (a.pipes.some((p) => p instanceof ParseUUIDPipe)) out[a.data] = { type: 'string', format: 'uuid' };
    else if (a.pipes.some((p) => p instanceof ParseIntPipe)) out[a.data] = { type: 'integer' };
  }
  return out;
}

function schemaOf(args: RouteArgument[]): object | null {
  for (const a of args) {
    const pipe = a.pipes.find((p): p is SchemaPipe => p instanceof SchemaPipe);
    if (pipe) return pipe.schema;
  }
  return null;
}

/**
 * Reads the routes of the given controller classes from Nest's decorator metadata: method,
 * path, policy, success status and the ajv schemas their SchemaPipes validate with.
 */
export function declaredRoutes(controllers: ControllerClass[]): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  for (const ctrl of controllers) {
    const classPolicy = Reflect.getMetadata(POLICY_KEY, ctrl) as RoutePolicy | undefined;
    const classPublic = Reflect.getMetadata(PUBLIC_KEY, ctrl) === true;
    for (const route of controllerRoutes(ctrl)) {
      const fn = route.handler;
      const args = routeArguments(route);
      const from = (source: RouteArgument['source']) => args.filter((a) => a.source === source);
      const status = (Reflect.getMetadata(HTTP_CODE_METADATA, fn) as number | undefined) ?? (route.method === 'POST' ? 201 : 200);
      for (const path of route.paths) {
        routes.push({
          method: route.method,
          path,
          controller: ctrl.name,
          handler: route.name,
          policy: (Reflect.getMetadata(POLICY_KEY, fn) as RoutePolicy | undefined) ?? classPolicy ?? null,
          isPublic: Reflect.getMetadata(PUBLIC_KEY, fn) === true || classPublic,
          status,
          body: schemaOf(from('body')),
          query: schemaOf(from('query')),
          headers: from('headers')
            .map((a) => a.data)
            .filter((d): d is string => typeof d === 'string'),
          params: paramSchemas(from('param')),
          answers: (Reflect.getMetadata(ANSWERS_KEY, fn) as DeclaredAnswers | undefined) ?? null,
        });
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
