import { SigningKeyMismatchError } from '#audit';
import { DataDirBusyError } from '#persistence';
import { CatalogError } from '#registry';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from '#config';
import { PortInUseError, assertPortFree, isAddressInUse } from './port.check.js';

async function main(): Promise<void> {
  const config = loadConfig();
  await assertPortFree(config.port, config.host);
  const cloison = await createApp(config);
  const log = cloison.app.getHttpAdapter().getInstance().log;
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: finishing in-flight requests');
    cloison.close().then(
      () => {
        log.info('shut down cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  try {
    await cloison.app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await cloison.close().catch(() => undefined);
    throw isAddressInUse(err) ? new PortInUseError(config.port, config.host) : err;
  }
  process.stdout.write(
    `Cloison listening on http://${config.host}:${config.port} (database: ${config.databaseUrl ? 'PostgreSQL' : `embedded, ${config.dataDir}`})\n`,
  );
}

main().catch((err: unknown) => {
  const known = [CatalogError, ConfigError, DataDirBusyError, PortInUseError, SigningKeyMismatchError].some((type) => err instanceof type);
  process.stderr.write(`Cloison failed to start: ${known ? (err as Error).message : ((err as Error)?.stack ?? String(err))}\n`);
  process.exit(1);
});
