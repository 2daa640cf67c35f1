import { ParseIntPipe, ParseUUIDPipe, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { POLICY_KEY, PUBLIC_KEY, type RoutePolicy } from '#policy';
import { SchemaPipe } from './schema.pipe.js';
import { ANSWERS_KEY, type DeclaredAnswers } from './answers.decorator.js';

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

// Nest's RouteParamtypes (not exported from the package root).
const BODY = 3;
const QUERY = 4;
const PARAM = 5;
const HEADERS = 6;

interface RouteArg {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

function joinPath(...parts: string[]): string {
  const joined = parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p !== '')
    .join('/');
  return `/${joined}`;
}

function paramSchemas(args: RouteArg[]): Record<string, object> {
  const out: Record<string, object> = {};
  for (const a of args) {
    if (typeof a.data !== 'string') continue;
    const pipes = a.pipes ?? [];
    if (pipes.some((p) => p instanceof ParseUUIDPipe)) out[a.data] = { type: 'string', format: 'uuid' };
    else if (pipes.some((p) => p instanceof ParseIntPipe)) out[a.data] = { type: 'integer' };
  }
  return out;
}

function schemaOf(args: RouteArg[]): object | null {
  for (const a of args) {
    const pipe = (a.pipes ?? []).find((p): p is SchemaPipe => p instanceof SchemaPipe);
    if (pipe) return pipe.schema;
  }
  return null;
}

/**
 * Reads the routes of the given controller classes from Nest's decorator metadata: method,
 * path, policy, success status and the ajv schemas their SchemaPipes validate with.
 */
export function declaredRoutes(controllers: Function[]): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  for (const ctrl of controllers) {
    const base = Reflect.getMetadata(PATH_METADATA, ctrl) as string | string[] | undefined;
    const bases = Array.isArray(base) ? base : [base ?? ''];
    const classPolicy = Reflect.getMetadata(POLICY_KEY, ctrl) as RoutePolicy | undefined;
    const classPublic = Reflect.getMetadata(PUBLIC_KEY, ctrl) === true;
    const proto = ctrl.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor') continue;
      const fn = proto[name];
      if (typeof fn !== 'function') continue;
      const methodPath = Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
      if (methodPath === undefined || method === undefined) continue;
      const args = Object.entries((Reflect.getMetadata(ROUTE_ARGS_METADATA, ctrl, name) ?? {}) as Record<string, RouteArg>);
      const ofType = (t: number) => args.filter(([k]) => Number(k.split(':')[0]) === t).map(([, v]) => v);
      const verb = RequestMethod[method] as string;
      const status =
        (Reflect.getMetadata(HTTP_CODE_METADATA, fn) as number | undefined) ?? (method === RequestMethod.POST ? 201 : 200);
      for (const b of bases) {
        for (const p of Array.isArray(methodPath) ? methodPath : [methodPath]) {
          routes.push({
            method: verb,
            path: joinPath(b, p),
            controller: ctrl.name,
            handler: name,
            policy: (Reflect.getMetadata(POLICY_KEY, fn) as RoutePolicy | undefined) ?? classPolicy ?? null,
            isPublic: Reflect.getMetadata(PUBLIC_KEY, fn) === true || classPublic,
            status,
            body: schemaOf(ofType(BODY)),
            query: schemaOf(ofType(QUERY)),
            headers: ofType(HEADERS)
              .map((a) => a.data)
              .filter((d): d is string => typeof d === 'string'),
            params: paramSchemas(ofType(PARAM)),
            answers: (Reflect.getMetadata(ANSWERS_KEY, fn) as DeclaredAnswers | undefined) ?? null,
          });
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
