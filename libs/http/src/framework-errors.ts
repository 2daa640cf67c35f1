import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { ValidationIssue } from '#registry';
import { securityHeaders } from './http-hardening.js';

/** Where a single flag is evaluated: an over-long key there is a flag that does not exist. */
const FLAG_PREFIX = '/ofrep/v1/evaluate/flags/';

/**
 * What was wrong with the request, for the refusals Fastify raises before any route runs: its
 * messages name neither the part of the request nor the rule (an invalid body and one with a
 * `__proto__` key get the same message, so the rule names both).
 */
const FASTIFY_REFUSALS: Readonly<Record<string, ValidationIssue>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    pointer: '/',
    rule: 'json',
    message:
      'must be one JSON text (RFC 8259: no comments, single quotes, NaN or trailing text), without a "__proto__" key or a "constructor" holding "prototype"',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { pointer: '/', rule: 'required', message: 'body is missing' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    pointer: 'header:content-type',
    rule: 'enum',
    message: 'must be application/json (the API reads JSON bodies)',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    pointer: '/',
    rule: 'bodyLimit',
    message: 'must not be larger than the body limit of the service (CLOISON_BODY_LIMIT)',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    pointer: 'header:content-length',
    rule: 'format',
    message: 'must be the length of the body in bytes',
  },
};

/** The `details` of a Fastify refusal, when it is one of the request's content. */
export function fastifyRefusalDetails(code: unknown): ValidationIssue[] | undefined {
  const issue = typeof code === 'string' ? FASTIFY_REFUSALS[code] : undefined;
  return issue && [issue];
}

let headers: Readonly<Record<string, string>> | undefined;

/**
 * Answers for what Fastify's router refuses before any hook runs: a URL that is not valid
 * percent-encoding (400) and a path parameter over the router's length limit (414). They get
 * the security headers and the shared error body; on the evaluation route an over-long key is
 * answered as OFREP says for any unknown flag, 404 FLAG_NOT_FOUND.
 */
export function answerFrameworkError(
  error: Error & { code?: string; statusCode?: number },
  req: FastifyRequest,
  reply: FastifyReply,
): void {
  headers ??= securityHeaders();
  void reply.headers(headers);
  const requestId = String(req.id);
  const path = req.url.split('?')[0] ?? '';
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH' && req.method === 'POST' && path.startsWith(FLAG_PREFIX)) {
    const key = path.slice(FLAG_PREFIX.length);
    const message = 'flag key is longer than any defined flag';
    void reply
      .status(404)
      .header('content-type', 'application/json; charset=utf-8')
      .send({ key, errorCode: 'FLAG_NOT_FOUND', errorDetails: message, statusCode: 404, error: STATUS_CODES[404], message, requestId });
    return;
  }
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  const message = status === 414 ? 'a path parameter is longer than allowed' : 'the URL is not valid percent-encoding';
  const detail: ValidationIssue =
    status === 414
      ? {
          pointer: 'path',
          rule: 'maxLength',
          message: `each path parameter must not be longer than ${req.server?.initialConfig?.maxParamLength ?? 100} characters`,
        }
      : { pointer: 'path', rule: 'percent-encoding', message: 'every % must start a valid UTF-8 percent-encoded sequence' };
  void reply
    .status(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ statusCode: status, error: STATUS_CODES[status], message, details: [detail], requestId });
}
