import { CatalogError } from '../../../libs/registry/src/index.js';
import { createApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/app.config.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const { app } = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
  process.stdout.write(`Cloison listening on http://${config.host}:${config.port} (database: ${config.databaseUrl ? 'PostgreSQL' : `embedded, ${config.dataDir}`})\n`);
}

main().catch((err: unknown) => {
  const known = err instanceof CatalogError || err instanceof ConfigError;
  process.stderr.write(`Cloison failed to start: ${known ? (err as Error).message : ((err as Error)?.stack ?? String(err))}\n`);
  process.exit(1);
});
