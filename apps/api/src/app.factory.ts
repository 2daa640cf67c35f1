import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { pino, type DestinationStream } from 'pino';
import { NestPinoLogger, recordHttpRequest } from '../../../libs/observability/src/index.js';
import { openDatabase, type Database } from '../../../libs/persistence/src/index.js';
import { Registry, loadCatalog } from '../../../libs/registry/src/index.js';
import { AppModule } from './app.module.js';
import type { CloisonConfig } from './config/app.config.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

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
}

export async function createApp(config: CloisonConfig, options: CreateAppOptions = {}): Promise<CloisonApp> {
  const registry = new Registry(loadCatalog(config.catalogDir));
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    migrationUrl: config.migrationUrl,
    dataDir: config.dataDir,
    appRole: config.appRole,
    migrationsDir: config.migrationsDir,
    poolSize: config.poolSize,
    replicaUrl: config.replicaUrl,
  });
  try {
    // One pino logger for Fastify's request lines and Nest's own lines: JSON, one object per line,
    // request lines labelled with the same requestId that audit events store.
    const logger = pino({ level: config.logLevel, base: { service: 'cloison' } }, options.logStream ?? pino.destination(1));
    const adapter = new FastifyAdapter({
      loggerInstance: logger,
      logController: new LogController({ requestIdLogLabel: 'requestId' }),
      bodyLimit: config.bodyLimit,
      genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
        const given = req.headers['x-request-id'];
        return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      },
    });
    const routes: ServedRoute[] = [];
    adapter.getInstance().addHook('onRoute', (r) => {
      for (const method of [r.method].flat()) routes.push({ method: String(method), url: r.url });
    });
    const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, database, registry), adapter, {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
    });
    const fastify = app.getHttpAdapter().getInstance();
    fastify.addHook('onSend', async (req, reply) => {
      void reply.header('x-request-id', req.id);
    });
    fastify.addHook('onResponse', async (req, reply) => {
      // Route templates, not raw URLs, keep label cardinality bounded.
      recordHttpRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    });
    app.enableShutdownHooks();
    await app.init();
    return {
      app,
      database,
      routes,
      async close() {
        await app.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
