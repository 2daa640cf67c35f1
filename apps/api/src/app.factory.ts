import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { openDatabase, type Database } from '../../../libs/persistence/src/index.js';
import { loadRegistry } from '../../../libs/registry/src/index.js';
import { AppModule } from './app.module.js';
import { serveConsole } from './console/console.assets.js';
import { applyHttpHardening } from './common/http-hardening.js';
import type { CloisonConfig } from './config/app.config.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface CloisonApp {
  app: NestFastifyApplication;
  database: Database;
  close(): Promise<void>;
}

/**
 * Builds the whole service: catalog first (a bad catalog stops boot before anything touches
 * the database), then database and migrations, then the HTTP application.
 */
export async function createApp(config: CloisonConfig): Promise<CloisonApp> {
  const registry = loadRegistry(config.catalogDir);
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    migrationUrl: config.migrationUrl,
    dataDir: config.dataDir,
    appRole: config.appRole,
    migrationsDir: config.migrationsDir,
    poolSize: config.poolSize,
    connectTimeoutMs: config.dbConnectTimeoutMs,
  });
  let app: NestFastifyApplication | undefined;
  try {
    const adapter = new FastifyAdapter({
      logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
      bodyLimit: config.bodyLimit,
      genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
        const given = req.headers['x-request-id'];
        return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      },
    });
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, database, registry), adapter, {
      logger: config.logLevel === 'silent' ? false : ['log', 'warn', 'error'],
      abortOnError: false,
    });
    await applyHttpHardening(app, config);
    app.getHttpAdapter().getInstance().addHook('onSend', async (req, reply) => {
      void reply.header('x-request-id', req.id);
    });
    serveConsole(app, config);
    app.enableShutdownHooks();
    await app.init();
    const started = app;
    return {
      app: started,
      database,
      async close() {
        await started.close();
        await database.close();
      },
    };
  } catch (err) {
    // A refusal at bootstrap (e.g. a catalog default change) must not leave providers running.
    await app?.close().catch(() => undefined);
    await database.close();
    throw err;
  }
}
