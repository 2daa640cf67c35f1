import type { DeclaredRoute } from './route-catalog.js';

export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  jsonSchemaDialect: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Record<string, unknown>;
};

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: unknown;
}

export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary: string;
  security: Record<string, string[]>[];
  parameters: OpenApiParameter[];
  requestBody?: { required: true; content: { 'application/json': { schema: unknown } } };
  responses: Record<string, unknown>;
  'x-cloison-policy': { action: string; subject: string } | 'public';
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    requestId: { type: 'string' },
    details: {
      type: 'array',
      items: {
        type: 'object',
        required: ['pointer', 'rule', 'message'],
        properties: { pointer: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** `/v1/tenants/:tenant` → `/v1/tenants/{tenant}` */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function queryParameters(schema: object | null): OpenApiParameter[] {
  if (!schema) return [];
  const s = schema as { properties?: Record<string, unknown>; required?: readonly string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: 'query' as const,
    required: (s.required ?? []).includes(name),
    schema: prop,
  }));
}

function operation(r: DeclaredRoute): OpenApiOperation {
  const pathParams = [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
    name: m[1] as string,
    in: 'path' as const,
    required: true,
    schema: r.params[m[1] as string] ?? { type: 'string' },
  }));
  const headers = r.headers.map((h) => ({ name: h, in: 'header' as const, required: false, schema: { type: 'string' } }));
  const responses: Record<string, unknown> = { [String(r.status)]: { description: 'success' } };
  if (r.body || r.query || headers.length) responses['400'] = errorResponse('request does not satisfy the schema');
  if (!r.isPublic) {
    responses['401'] = errorResponse('missing, invalid or revoked credentials');
    responses['403'] = errorResponse('the role may not do this');
  }
  if (r.path.includes(':')) responses['404'] = errorResponse('not found, or not visible to the caller');
  responses['503'] = errorResponse('database unavailable; nothing was written, retry later');
  return {
    operationId: `${r.controller.replace(/Controller$/, '')}.${r.handler}`,
    tags: [r.controller.replace(/Controller$/, '').toLowerCase()],
    summary: r.isPublic ? 'public' : `${r.policy?.action ?? '?'} ${r.policy?.subject ?? '?'}`,
    security: r.isPublic ? [] : [{ bearer: [] }],
    parameters: [...pathParams, ...queryParameters(r.query), ...headers],
    ...(r.body ? { requestBody: { required: true as const, content: { 'application/json': { schema: r.body } } } } : {}),
    responses,
    'x-cloison-policy': r.isPublic ? 'public' : (r.policy ?? { action: 'none', subject: 'none' }),
  };
}

/** The OpenAPI 3.1 document of the given routes; request schemas are the ones the routes validate with. */
export function buildOpenApi(routes: DeclaredRoute[], version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const r of routes) {
    const key = toOpenApiPath(r.path);
    (paths[key] ??= {})[r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cloison',
      version,
      description:
        'Per-tenant options of a multi-client voting platform. Every route except the public ones needs ' +
        '`Authorization: Bearer <token>` (an opaque Cloison token, or a JWT from the configured OpenID Connect issuer).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}
