import type { SuccessBody } from './answers.decorator.js';
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

/** The shared error body (HttpErrorFilter's toErrorBody, with the request id). */
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

const errorResponse = (description: string, schema: object = { $ref: '#/components/schemas/Error' }) => ({
  description,
  content: { 'application/json': { schema } },
});

/** Answers the framework and the shared guards give on any route, declared once and referenced. */
const SHARED_RESPONSES = {
  BadRequest: errorResponse(
    'the request does not satisfy its schema (details name the JSON pointer and rule), or the URL is not valid percent-encoding',
  ),
  Unauthorized: errorResponse('missing, invalid or revoked credentials'),
  Forbidden: errorResponse('the role may not do this'),
  NotFound: errorResponse('not found, or not visible to the caller'),
  PayloadTooLarge: errorResponse('the request body is larger than the configured limit'),
  UriTooLong: errorResponse('a path parameter is longer than the router allows'),
  UnsupportedMediaType: errorResponse('the request body is not JSON'),
  TooManyRequests: errorResponse('rate limit reached; Retry-After says when to try again'),
  ServiceUnavailable: errorResponse('database unavailable, or the request conflicted with a concurrent one; nothing was written, retry'),
} as const;

const shared = (name: keyof typeof SHARED_RESPONSES) => ({ $ref: `#/components/responses/${name}` });

function successResponse(status: number, body: SuccessBody) {
  const description =
    status === 202
      ? 'accepted: waits for approval'
      : status === 302
        ? 'redirect (Location names the target)'
        : status === 304
          ? 'not modified'
          : 'success';
  if (body === null) return { description };
  const media = 'media' in body ? (body.media as Record<string, object>) : { 'application/json': body };
  return { description, content: Object.fromEntries(Object.entries(media).map(([type, schema]) => [type, { schema }])) };
}

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
  const answers = r.answers;
  if (!answers) throw new Error(`${r.controller}.${r.handler} declares no @Answers: its responses would be undocumented`);
  const responses: Record<string, unknown> = {};
  for (const [status, body] of Object.entries(answers.success)) responses[status] = successResponse(Number(status), body);
  if (!(String(r.status) in responses))
    throw new Error(`${r.controller}.${r.handler} answers ${r.status} but @Answers does not declare it`);
  responses['400'] = shared('BadRequest');
  if (!r.isPublic) {
    responses['401'] = shared('Unauthorized');
    responses['403'] = shared('Forbidden');
  }
  if (r.path.includes(':')) {
    responses['404'] = shared('NotFound');
    responses['414'] = shared('UriTooLong');
  }
  if (r.method !== 'GET') {
    responses['413'] = shared('PayloadTooLarge');
    responses['415'] = shared('UnsupportedMediaType');
  }
  responses['429'] = shared('TooManyRequests');
  responses['503'] = shared('ServiceUnavailable');
  for (const [status, description] of Object.entries(answers.errors)) responses[status] = errorResponse(description, answers.errorBody);
  if (answers.errorBody) {
    // The route's own error shape applies to the shared request errors too.
    for (const status of ['400', '404', '413', '415'] as const) {
      if (responses[status] && !(status in answers.errors))
        responses[status] = errorResponse(
          SHARED_RESPONSES[
            status === '400' ? 'BadRequest' : status === '404' ? 'NotFound' : status === '413' ? 'PayloadTooLarge' : 'UnsupportedMediaType'
          ].description,
          answers.errorBody,
        );
    }
  }
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
      responses: SHARED_RESPONSES,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}
