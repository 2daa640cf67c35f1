import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { securityHeaders } from './http-hardening.js';

/** Where a single flag is evaluated: an over-long key there is a flag that does not exist. */
const FLAG_PREFIX = '/ofrep/v1/evaluate/flags/';

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
  void reply
    .status(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ statusCode: status, error: STATUS_CODES[status], message, requestId });
}
