import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest, LogController } from 'fastify';

/**
 * What the evaluation routes run on every request, as the application's own Fastify hooks do:
 * the fast path gets the same values and functions (app.factory.ts builds both from them).
 */
export interface HttpServing {
  /** The request id generator Fastify is given (genReqId). */
  requestId(): string;
  /** Security headers every response carries (the onRequest hook sets them). */
  securityHeaders: Readonly<Record<string, string>>;
  /** The metrics onResponse hook's recording (method, route template, status, seconds). */
  recordRequest(method: string, route: string, status: number, seconds: number): void;
  /** Fastify's request log lines (logController) and request loggers (childLoggerFactory). */
  logController: LogController;
  childLogger(bindings: Record<string, unknown>, raw: IncomingMessage): FastifyBaseLogger;
  /** True once shutdown began: then every request goes through Fastify (503, connection: close). */
  draining(): boolean;
  bodyLimit: number;
  /** Fastify's limit on a path parameter; longer flag keys are Fastify's to answer. */
  maxParamLength: number;
}

/** The evaluation route a request is for, when it is the common case the fast path serves. */
export interface FastRoute {
  handler: 'bulk' | 'single';
  /** The route template (metrics label, request log filter). */
  url: string;
  key?: string;
}

const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);

// The bulk route is the same for every request: one object, not one per request.
const bulkRoutes = new Map<string, FastRoute>();
function bulkRoute(path: string): FastRoute {
  const route = Object.freeze({ handler: 'bulk', url: path } as const);
  bulkRoutes.set(path, route);
  return route;
}
const NO_PARAMS = Object.freeze({});

/**
 * Which evaluation route `req` is for, or undefined when Fastify must take it: anything but a
 * POST of a JSON body of known length within the limit to one of the two exact paths (no query
 * string, a flag key that needs no decoding and is within the router's length limit).
 */
export function fastRouteOf(
  req: IncomingMessage,
  bulkPath: string,
  serving: Pick<HttpServing, 'bodyLimit' | 'maxParamLength'>,
): FastRoute | undefined {
  if (req.method !== 'POST' || req.httpVersionMajor !== 1) return undefined;
  const url = req.url ?? '';
  let route: FastRoute;
  if (url === bulkPath) route = bulkRoutes.get(bulkPath) ?? bulkRoute(bulkPath);
  else if (url.startsWith(bulkPath) && url.charCodeAt(bulkPath.length) === 47 /* / */) {
    const key = url.slice(bulkPath.length + 1);
    if (key.length === 0 || key.length > serving.maxParamLength || !/^[A-Za-z0-9_.-]+$/.test(key)) return undefined;
    route = { handler: 'single', url: `${bulkPath}/:key`, key };
  } else return undefined;
  const h = req.headers;
  if (h['transfer-encoding'] !== undefined || h.expect !== undefined) return undefined;
  const type = h['content-type'];
  if (type === undefined || !JSON_TYPES.has(type.toLowerCase())) return undefined;
  const length = Number(h['content-length']);
  if (!(length > 0 && length <= serving.bodyLimit)) return undefined;
  return route;
}

/**
 * The request as the guard, the error filter and the log controller read it (the fields of
 * FastifyRequest they use, with Fastify's values: `ip` is the peer address without a trusted proxy).
 */
export class FastRequest {
  readonly method = 'POST';
  readonly params: { key?: string };
  /** Fastify's routeOptions.url: the route template. */
  readonly routeOptions: { readonly url: string };
  private logger?: FastifyBaseLogger;
  cloison?: unknown;

  constructor(
    readonly raw: IncomingMessage,
    readonly id: string,
    route: FastRoute,
    private readonly serving: HttpServing,
  ) {
    this.params = route.key === undefined ? NO_PARAMS : { key: route.key };
    this.routeOptions = route;
  }

  get headers(): IncomingHttpHeaders {
    return this.raw.headers;
  }

  get url(): string {
    return this.raw.url ?? '';
  }

  get ip(): string | undefined {
    return this.raw.socket.remoteAddress;
  }

  /** Fastify's request.host without a trusted proxy: the Host header. */
  get host(): string | undefined {
    return this.raw.headers.host;
  }

  get socket(): IncomingMessage['socket'] {
    return this.raw.socket;
  }

  /** The request's logger, made on its first line, as Fastify's childLoggerFactory would. */
  get log(): FastifyBaseLogger {
    return (this.logger ??= this.serving.childLogger({ [this.serving.logController.requestIdLogLabel]: this.id }, this.raw));
  }

  asFastify(): FastifyRequest {
    return this as unknown as FastifyRequest;
  }
}

/**
 * The answer, as the controller and the error filter write it (header, code/status, send: the
 * part of FastifyReply they use, with Fastify's behaviour: lower-cased names, the last value of a
 * name wins, objects sent as JSON, content-length on every body, none on 304), written to the
 * Node response in one writeHead and one end.
 */
export class FastReply {
  statusCode = 200;
  sent = false;
  /** Names and values after the security headers, as set: [name, value, name, value, …]. */
  private readonly extra: string[] = [];
  private readonly started = performance.now();

  constructor(
    readonly raw: ServerResponse,
    readonly request: FastRequest,
    private readonly serving: HttpServing,
    private readonly securityBlock: readonly string[],
  ) {}

  get log(): FastifyBaseLogger {
    return this.request.log;
  }

  /** Milliseconds since the request arrived (Fastify's reply.elapsedTime). */
  get elapsedTime(): number {
    return performance.now() - this.started;
  }

  header(name: string, value: unknown): this {
    const lower = name.toLowerCase();
    const text = String(value);
    for (let i = 0; i < this.extra.length; i += 2) {
      if (this.extra[i] === lower) {
        this.extra[i + 1] = text;
        return this;
      }
    }
    this.extra.push(lower, text);
    return this;
  }

  code(status: number): this {
    this.statusCode = status;
    return this;
  }

  status(status: number): this {
    return this.code(status);
  }

  send(payload?: unknown): this {
    if (this.sent) throw new Error('evaluation answer sent twice');
    this.sent = true;
    let body: Buffer | string | undefined;
    if (payload === undefined || payload === null) body = undefined;
    else if (Buffer.isBuffer(payload) || typeof payload === 'string') body = payload;
    else body = JSON.stringify(payload);
    const headers = [...this.securityBlock, ...this.extra, 'x-request-id', this.request.id];
    const status = this.statusCode;
    if (body !== undefined) headers.push('content-length', String(Buffer.byteLength(body)));
    else if (status >= 200 && status !== 204 && status !== 304) headers.push('content-length', '0');
    this.raw.writeHead(status, headers);
    this.raw.end(body);
    this.completed();
    return this;
  }

  /** What the application's onResponse hook and Fastify's request log do once an answer is written. */
  private completed(): void {
    const seconds = this.elapsedTime / 1000;
    const request = this.request;
    this.serving.recordRequest('POST', request.routeOptions.url, this.statusCode, seconds);
    this.serving.logController.requestCompleted(null, request.asFastify(), this.asFastify());
  }

  asFastify(): FastifyReply {
    return this as unknown as FastifyReply;
  }
}

/** The security headers as the flat [name, value, …] list writeHead takes, made once. */
export function headerBlock(headers: Readonly<Record<string, string>>): readonly string[] {
  return Object.freeze(Object.entries(headers).flatMap(([name, value]) => [name.toLowerCase(), value]));
}

/**
 * Reads the whole body (its length is known and within the limit: see fastRouteOf), then calls
 * `done` with it; a request that fails or is cut while its body arrives gets no answer, as in Fastify.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, done: (body: Buffer) => void): void {
  let first: Buffer | undefined;
  let rest: Buffer[] | undefined;
  req.on('data', (chunk: Buffer) => {
    if (first === undefined) first = chunk;
    else (rest ??= [first]).push(chunk);
  });
  req.on('end', () => done(rest ? Buffer.concat(rest) : (first ?? Buffer.alloc(0))));
  req.on('error', () => res.destroy());
}

/** The route's own work, from ofrep.direct: the same functions its Fastify handlers run. */
export interface FastPathWork {
  /** Parses the body as the route's JSON content type parser does; calls back once. */
  parse(req: FastifyRequest, body: Buffer, done: (err: Error | null, parsed?: unknown) => void): void;
  /** Policy, limit, schema and the controller method, errors answered by OfrepErrorFilter. */
  evaluate(req: FastifyRequest, reply: FastifyReply, route: FastRoute, parsed: unknown): unknown;
  /** The error answer of the routes (OfrepErrorFilter). */
  failed(err: unknown, req: FastifyRequest, reply: FastifyReply): void;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Puts the fast path in front of the server's request listener (Fastify's): requests that are
 * the common case of an evaluation route are answered here, every other one goes to Fastify
 * untouched. Returns Fastify's listener (the reference route stays reachable through it).
 */
export function serveBelowFastify(
  server: {
    listeners(event: 'request'): Function[];
    removeListener(event: 'request', l: Listener): unknown;
    on(event: 'request', l: Listener): unknown;
  },
  bulkPath: string,
  serving: HttpServing,
  work: FastPathWork,
): Listener {
  const listeners = server.listeners('request') as Listener[];
  const fastify = listeners[0];
  if (!fastify || listeners.length !== 1)
    throw new Error(`the HTTP server has ${listeners.length} request listeners, expected Fastify's alone`);
  const block = headerBlock(serving.securityHeaders);
  const answer = (req: IncomingMessage, res: ServerResponse, route: FastRoute) => {
    const request = new FastRequest(req, serving.requestId(), route, serving);
    const reply = new FastReply(res, request, serving, block);
    readBody(req, res, (body) => {
      const r = request.asFastify();
      const a = reply.asFastify();
      // Only a failure while writing the answer gets here (the steps' errors are answered as the
      // route's): the connection is cut, as Fastify does when a reply cannot be completed.
      const broken = (err: unknown) => {
        r.log.error({ err }, 'evaluation answer failed');
        res.destroy();
      };
      try {
        work.parse(r, body, (err, parsed) => {
          if (err) {
            // As Fastify answers a body its parser refused: the connection is not reused.
            reply.header('connection', 'close');
            return work.failed(err, r, a);
          }
          const pending = work.evaluate(r, a, route, parsed);
          if (pending instanceof Promise) pending.catch(broken);
        });
      } catch (err) {
        broken(err);
      }
    });
  };
  const listener: Listener = (req, res) => {
    const route = serving.draining() ? undefined : fastRouteOf(req, bulkPath, serving);
    if (route === undefined) fastify(req, res);
    else answer(req, res, route);
  };
  server.removeListener('request', fastify);
  server.on('request', listener);
  return fastify;
}
