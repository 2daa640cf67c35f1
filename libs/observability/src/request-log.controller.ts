import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Evaluation routes: one call per voter request, counted in metrics rather than logged. */
const QUIET_PREFIX = '/ofrep/';
/** Refusals are logged even on quiet routes: a wrong or revoked token, a missing grant, a limit. */
const REFUSALS = new Set([401, 403, 429]);
/** An evaluation slower than this is logged whatever its status. */
export const SLOW_EVALUATION_MS = 250;

function quiet(req: FastifyRequest): boolean {
  return req.routeOptions.url?.startsWith(QUIET_PREFIX) === true;
}

/**
 * Fastify's per-request lines ("incoming request", "request completed"), except on the evaluation
 * routes, where the voting platform's traffic would make them most of the service's work: there
 * only errors (5xx), refusals (401/403/429) and slow answers are logged, as one completion line.
 * Every request, logged or not, is counted by the metrics hook.
 */
export class RequestLogController extends LogController {
  constructor(
    options: ConstructorParameters<typeof LogController>[0],
    private readonly slowMs = SLOW_EVALUATION_MS,
  ) {
    super(options);
  }

  override incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (quiet(request)) return;
    super.incomingRequest(request, reply, metadata);
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (quiet(request) && !error && reply.statusCode < 500 && !REFUSALS.has(reply.statusCode) && reply.elapsedTime < this.slowMs) return;
    super.requestCompleted(error, request, reply, metadata);
  }
}
