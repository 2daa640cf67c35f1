import { loadConfig } from '#config';
import { migrateDatabase } from '#persistence';
import { EXIT, parse, type CliIo } from '../cli.io.js';

export const MIGRATE_HELP = `Usage:
  cloison migrate [--check]

Applies pending database migrations and exits, with the same settings as the service
(DATABASE_MIGRATION_URL if set, else DATABASE_URL, else the embedded database under
CLOISON_DATA_DIR). Creates the application role if missing. Safe to run from several
places at once (advisory lock). --check applies nothing and exits 1 if any is pending.
`;

export async function migrateCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { check: { type: 'boolean' } });
  if (values.help) return (io.out(MIGRATE_HELP), EXIT.ok);
  const config = loadConfig(io.env);
  const result = await migrateDatabase(
    {
      databaseUrl: config.databaseUrl,
      migrationUrl: config.migrationUrl,
      dataDir: config.dataDir,
      appRole: config.appRole,
      migrationsDir: config.migrationsDir,
      poolSize: 1,
    },
    { apply: !values.check },
  );
  if (values.check) {
    for (const m of result.pending) io.out(`pending ${m}\n`);
    io.err(result.pending.length ? `${result.pending.length} migration(s) pending\n` : 'database is up to date\n');
    return result.pending.length ? EXIT.failed : EXIT.ok;
  }
  for (const m of result.applied) io.out(`applied ${m}\n`);
  io.err(result.applied.length ? `${result.applied.length} migration(s) applied\n` : 'database was already up to date\n');
  return EXIT.ok;
}
