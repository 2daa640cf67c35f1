import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { answerFrameworkError } from '#http';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { pino, type DestinationStream } from 'pino';
import { LazyChildLogger, NestPinoLogger, RequestLogController, recordHttpRequest } from '#observability';
import { loggableUrl } from '#identity';
import { openDatabase, type Database } from '#persistence';
import { loadRegistry } from '#registry';
import { AppModule } from './app.module.js';
import { Lifecycle } from '#observability';
import { serveConsole } from './console/console.assets.js';
import { HttpErrorFilter, applyHttpHardening, routeOf, securityHeaders, serveRoutesDirectly } from '#http';
import { OptionsController } from '#options/options.controller';
import { PolicyGuard } from '#policy';
import { serveOfrepDirectly } from '#evaluation';
import type { CloisonConfig } from '#config';

/** A client's X-Request-Id that may go into log lines (no quoting, no separators). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Log lines reach stdout at most this late, or once this many bytes are waiting. */
const LOG_FLUSH_MS = 100;
const LOG_BATCH_BYTES = 4096;

export interface ServedRoute {
  method: string;
  url: string;
}

export interface CloisonApp {
  app: NestFastifyApplication;
  database: Database;
  /** Every route the HTTP server registered (what the OpenAPI coverage test walks). */
  routes: ServedRoute[];
  close(): Promise<void>;
}

/**
 * Builds the whole service: catalog first (a bad catalog stops boot before anything touches
 * the database), then database and migrations, then the HTTP application.
 */
export interface CreateAppOptions {
  /** Where the JSON log lines go (default stdout). */
  logStream?: DestinationStream;
  /**
   * false: the REST routes served directly (serveRoutesDirectly) go through Nest's pipeline like
   * every other route: the reference they are held to (test/e2e/rest-direct-route.e2e-spec.ts).
   */
  directRoutes?: boolean;
}

export async function createApp(config: CloisonConfig, options: CreateAppOptions = {}): Promise<CloisonApp> {
  const registry = loadRegistry(config.catalogDir);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    migrationUrl: config.migrationUrl,
    dataDir: config.dataDir,
    appRole: config.appRole,
    migrationsDir: config.migrationsDir,
    poolSize: config.poolSize,
    replicaUrl: config.replicaUrl,
    connectTimeoutMs: config.dbConnectTimeoutMs,
  });
  let app: NestFastifyApplication | undefined;
  // Standard output, unless the caller gives a stream; see the logger below for the batching.
  const stdout = options.logStream ? undefined : pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES });
  const flushing = stdout && setInterval(() => stdout.flush(), LOG_FLUSH_MS);
  flushing?.unref();
  const stopFlushing = () => {
    clearInterval(flushing);
    stdout?.flush();
  };
  try {
    // One pino logger for Fastify's request lines and Nest's own lines: JSON, one object per line,
    // request lines labelled with the same requestId that audit events store. Written to stdout
    // asynchronously: no write system call per line on the request's path, lines written while a
    // write is under way go out together, and what is pending is flushed when the process exits.
    // Lines are gathered up to LOG_BATCH_BYTES or LOG_FLUSH_MS, whichever comes first: each REST
    // request writes one (RequestLogController), and a write per line (a thread-pool round trip
    // each) cost about as much as formatting it. (Log lines are diagnostics: what must not be lost
    // is in the audit log, committed first.)
    const logger = pino(
      {
        level: config.logLevel,
        base: { service: 'cloison' },
        // Fastify's request line, with the secrets some URLs carry (invitation codes, the provider's code) left out.
        serializers: {
          req: (req: FastifyRequest) => ({
            method: req.method,
            url: loggableUrl(req.url),
            host: req.host,
            remoteAddress: req.ip,
            remotePort: req.socket?.remotePort,
          }),
        },
      },
      options.logStream ?? (stdout as DestinationStream),
    );
    // The evaluation fast path (serveOfrepDirectly) is given the same request ids, request
    // loggers, log lines, headers and metrics as the hooks below.
    const requestId = () => randomUUID();
    const logController = new RequestLogController({ requestIdLogLabel: 'requestId' });
    const childLoggerFactory = (parent: FastifyBaseLogger, bindings: Record<string, unknown>, opts: object, raw: IncomingMessage) => {
      const given = raw.headers['x-request-id'];
      // Made on the request's first log line: most evaluations write none.
      return new LazyChildLogger(
        parent,
        typeof given === 'string' && REQUEST_ID.test(given) ? { ...bindings, clientRequestId: given } : bindings,
        opts,
      );
    };
    const adapter = new FastifyAdapter({
      loggerInstance: logger,
      // Evaluation requests are counted (onResponse below), not logged, unless refused, failed or slow.
      logController,
      bodyLimit: config.bodyLimit,
      frameworkErrors: answerFrameworkError,
      // No Nest middleware is used (hooks and guards do that work): without middie, requests skip
      // its per-request pass. Adding a middleware later fails at boot rather than silently.
      skipMiddie: true,
      // The id audit events store is always the server's own: a client naming it could tie its
      // request to another's events. A well-formed client id is logged beside it.
      genReqId: requestId,
      childLoggerFactory,
    });
    const routes: ServedRoute[] = [];
    adapter.getInstance().addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) routes.push({ method: String(method), url: r.url });
    });
    // Request bodies are JSON or nothing: without Fastify's text parser and Nest's form parser, any
    // other body type is answered 415 naming the content-type header, not read and refused field by field.
    adapter.getInstance().removeContentTypeParser('text/plain');
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, database, registry), adapter, {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
      bodyParser: false,
    });
    // Nest's JSON parser, as it registers it by default (the evaluation fast path parses the same way).
    app.useBodyParser('application/json', { bodyLimit: config.bodyLimit });
    await applyHttpHardening(app, config);
    const fastify = app.getHttpAdapter().getInstance();
    let draining = false;
    // Callback hooks, not async ones: no promise per request on every route (evaluation included).
    // Named: the evaluation fast path does the same and checks these are the hooks it knows.
    fastify.addHook('onSend', function requestIdHeader(req, reply, payload, done) {
      void reply.header('x-request-id', req.id);
      if (draining) void reply.header('connection', 'close');
      done(null, payload);
    });
    fastify.addHook('onResponse', function httpMetrics(req, reply, done) {
      // Route templates, not raw URLs, keep label cardinality bounded.
      recordHttpRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
    serveConsole(app, config);
    const ofrepServedDirectly = serveOfrepDirectly(
      app,
      { max: config.ofrepRateLimitMax, windowMs: config.rateLimitWindowMs },
      {
        requestId,
        securityHeaders: securityHeaders(),
        recordRequest: recordHttpRequest,
        logController,
        childLogger: (bindings, raw) => childLoggerFactory(fastify.log, bindings, {}, raw),
        // While draining every request goes through Fastify and the hooks above (connection: close).
        draining: () => draining,
        bodyLimit: config.bodyLimit,
        maxParamLength: fastify.initialConfig.maxParamLength ?? 100,
      },
    );
    // The REST hot path, one option read or changed, without Nest's per-request pipeline: the same
    // guard, pipes, controller and error filter, every Fastify hook as on any route.
    const guard = app.get(PolicyGuard);
    const restServedDirectly =
      options.directRoutes === false
        ? undefined
        : serveRoutesDirectly(
            app,
            [routeOf(OptionsController, 'get'), routeOf(OptionsController, 'set')],
            (req, handler, controller) => guard.authorize(req, handler, controller),
            new HttpErrorFilter(),
          );
    // No enableShutdownHooks(): Nest would close and re-raise the signal before the database
    // is closed. main.ts calls close() on SIGTERM/SIGINT instead.
    await app.init();
    await ofrepServedDirectly();
    await restServedDirectly?.started();
    const started = app;
    const lifecycle = started.get(Lifecycle);
    let closing: Promise<void> | undefined;
    return {
      app: started,
      database,
      routes,
      close() {
        closing ??= (async () => {
          lifecycle.draining = true;
          draining = true;
          // Stop accepting connections, answer requests arriving on kept-alive ones with 503,
          // let in-flight requests finish; after the grace period cut what is left.
          const grace = setTimeout(() => {
            logger.warn({ graceMs: config.shutdownGraceMs }, 'shutdown grace period over: closing remaining connections');
            fastify.server.closeAllConnections();
          }, config.shutdownGraceMs);
          grace.unref();
          try {
            const closed = fastify.close();
            // Kept-alive connections with nothing in flight would hold close() until the grace
            // period ends; requests in flight finish, and their responses close the connection.
            fastify.server.closeIdleConnections();
            await closed;
          } finally {
            clearTimeout(grace);
          }
          await started.close();
          // Every transaction was either committed or rolled back by now (a request's change and
          // its audit event share one); end the pools, then close the embedded database.
          await database.close();
          // Lines written after this (the process's last ones) are flushed when it exits.
          stopFlushing();
        })();
        return closing;
      },
    };
  } catch (err) {
    // A refusal at bootstrap (e.g. a catalog default change) must not leave providers running.
    await app?.close().catch(() => undefined);
    await database.close();
    stopFlushing();
    throw err;
  }
}
