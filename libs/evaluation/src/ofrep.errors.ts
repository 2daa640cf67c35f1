import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { retryAfterOf, shapeErrorsUnder, toErrorBody } from '#http';
import type { OfrepErrorCode } from './ofrep.schemas.js';

/** An evaluation failure in the protocol's terms (errorCode + errorDetails). */
export class OfrepError extends HttpException {
  constructor(
    readonly ofrepCode: OfrepErrorCode,
    readonly errorDetails: string,
    status: number = ofrepCode === 'FLAG_NOT_FOUND' ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST,
    readonly details?: unknown[],
  ) {
    super(errorDetails, status);
  }
}

/** Which protocol error a 400 from request validation is: the context's own, or the body's. */
function codeOf(details: unknown[] | undefined): OfrepErrorCode {
  const pointers = (details ?? []).map((d) => String((d as { pointer?: unknown }).pointer ?? ''));
  return pointers.length > 0 && pointers.every((p) => p === '/context' || p.startsWith('/context/')) ? 'INVALID_CONTEXT' : 'PARSE_ERROR';
}

/**
 * Errors of the OFREP routes. 4xx bodies carry the protocol's fields (`key` for single-flag
 * evaluation, `errorCode`, `errorDetails`) next to Cloison's usual ones (`statusCode`, `error`,
 * `message`, `details`), so OpenFeature providers and humans both read them. 401/403 keep the usual
 * body (the protocol defines none); 5xx stay opaque.
 */
@Catch()
export class OfrepErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ofrep');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.answer(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** The error answer for `exception` (also used where the routes are served outside Nest's pipeline). */
  answer(exception: unknown, req: FastifyRequest, reply: FastifyReply): void {
    const base = { ...toErrorBody(exception), requestId: String(req.id) };
    const key = (req.params as { key?: string } | undefined)?.key;
    let body: Record<string, unknown> = base;
    if (exception instanceof OfrepError) {
      const status = exception.getStatus();
      body = {
        ...(key !== undefined ? { key } : {}),
        errorCode: exception.ofrepCode,
        errorDetails: exception.errorDetails,
        statusCode: status,
        error: STATUS_CODES[status] ?? 'Error',
        message: exception.errorDetails,
        ...(exception.details ? { details: exception.details } : {}),
        requestId: base.requestId,
      };
    } else if (base.statusCode === 400 || base.statusCode === 413 || base.statusCode === 415) {
      const errorCode = codeOf(base.details);
      body = { ...(key !== undefined ? { key } : {}), errorCode, errorDetails: base.message, ...base };
    } else if (base.statusCode === 404 && key !== undefined) {
      body = { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: base.message, ...base };
    }
    if (base.statusCode >= 500) {
      this.logger.error({ requestId: req.id, err: exception instanceof Error ? exception.stack : String(exception) });
    }
    const retryAfter = retryAfterOf(exception, base.statusCode);
    if (retryAfter) void reply.header('retry-after', retryAfter);
    void reply.status(base.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

// Body parse errors happen in Fastify before the controller's filter applies.
const ofrepFilter = new OfrepErrorFilter();
shapeErrorsUnder('/ofrep/', (exception, host) => ofrepFilter.catch(exception, host));
