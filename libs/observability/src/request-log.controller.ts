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
 * One access line per request, written when it completes: the request (method, URL, client
 * address), the answer's status and the time it took ("request completed", or "request errored").
 * Fastify's arrival line ("incoming request") is written at `debug` only: at the default level it
 * would double the service's own logging work for nothing the completion line lacks. On the
 * evaluation routes, where the voting platform's traffic would make these lines most of the
 * service's work, only errors (5xx), refusals (401/403/429) and slow answers are logged. Every
 * request, logged or not, is counted by the metrics hook.
 */
export class RequestLogController extends LogController {
  constructor(
    options: ConstructorParameters<typeof LogController>[0],
    private readonly slowMs = SLOW_EVALUATION_MS,
  ) {
    super(options);
  }

  override incomingRequest(request: FastifyRequest): void {
    if (quiet(request) || this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (quiet(request) && !error && reply.statusCode < 500 && !REFUSALS.has(reply.statusCode) && reply.elapsedTime < this.slowMs) return;
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
