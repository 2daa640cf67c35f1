import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { TooManyRequests } from '#policy/request-limits';
import { classifyDatabaseError } from './database-errors.js';
import { fastifyRefusalDetails } from './framework-errors.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown[];
  requestId?: string;
}

/** Maps anything thrown to a JSON body; never leaks stack traces or SQL to the client. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    const body = typeof res === 'string' ? { message: res } : (res as { message?: unknown; details?: unknown[] });
    const message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message ?? err.message);
    // Nest hands Fastify's own refusals (bad JSON, body too large, media type) over as the cause.
    const details = body.details ?? fastifyRefusalDetails((err.cause as { code?: unknown } | undefined)?.code);
    return { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, ...(details ? { details } : {}) };
  }
  const fastifyStatus = (err as { statusCode?: unknown })?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    // Fastify's own request errors (bad JSON, body too large, unsupported media type): their
    // messages describe the request, not the server.
    const details = fastifyRefusalDetails((err as { code?: unknown }).code);
    return {
      statusCode: fastifyStatus,
      error: STATUS_CODES[fastifyStatus] ?? 'Error',
      message: (err as Error).message,
      ...(details ? { details } : {}),
    };
  }
  const failure = classifyDatabaseError(err);
  if (failure === 'unstorable') {
    return { statusCode: 400, error: STATUS_CODES[400] as string, message: 'the request holds characters that cannot be stored' };
  }
  if (failure === 'session-role') {
    return { statusCode: 503, error: STATUS_CODES[503] as string, message: 'database session failed its safety check; refusing to serve' };
  }
  if (failure === 'unavailable') {
    return { statusCode: 503, error: STATUS_CODES[503] as string, message: 'database unavailable, retry later' };
  }
  if (failure === 'contention') {
    return {
      statusCode: 503,
      error: STATUS_CODES[503] as string,
      message: 'the request conflicted with a concurrent one and was rolled back: nothing was written, retry',
    };
  }
  return { statusCode: 500, error: STATUS_CODES[500] as string, message: 'internal error' };
}

/** Retry-After of the answers that have one: 503 (database unavailable or contention), 429 from our limits. */
export function retryAfterOf(exception: unknown, status: number): string | undefined {
  if (status === 503) return '1';
  return exception instanceof TooManyRequests ? String(exception.retryAfterSeconds) : undefined;
}

/** Errors raised before a route's own filters run (e.g. unparseable bodies) on routes with their own error shape. */
export type ErrorShaper = (exception: unknown, host: ArgumentsHost) => void;
const shapers: { prefix: string; shape: ErrorShaper }[] = [];

export function shapeErrorsUnder(prefix: string, shape: ErrorShaper): void {
  if (!shapers.some((s) => s.prefix === prefix)) shapers.push({ prefix, shape });
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    const shaper = shapers.find((s) => req.url.startsWith(s.prefix));
    if (shaper) return shaper.shape(exception, host);
    const body = { ...toErrorBody(exception), requestId: String(req.id) };
    const failure = classifyDatabaseError(exception);
    if (failure === 'session-role') {
      this.logger.error({ requestId: req.id, err: (exception as Error).message });
    } else if (failure === 'contention') {
      // Safe for the client to retry, but a deadlock means two code paths lock in different orders.
      this.logger.error({ requestId: req.id, err: exception instanceof Error ? exception.stack : String(exception) });
    } else if (body.statusCode === 503) {
      this.logger.warn(
        `database unavailable (request ${req.id}): ${exception instanceof Error ? exception.message.trim().split('\n').pop() : String(exception)}`,
      );
    } else if (body.statusCode >= 500) {
      this.logger.error({ requestId: req.id, err: exception instanceof Error ? exception.stack : String(exception) });
    }
    const retryAfter = retryAfterOf(exception, body.statusCode);
    if (retryAfter) reply.header('retry-after', retryAfter);
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
