/**
 * Long run of the isolation model (test/isolation): `npm run soak:isolation -- [commands] [seed]`.
 * Against PostgreSQL when DATABASE_URL is set (a fresh database is created and dropped), else
 * the embedded database. Prints commands and requests executed, failures and the seed; a
 * failure also prints fast-check's report with the shrunk list of commands, and exits 1.
 */
import { startTestApp } from '../test/support/test-app.js';
import { newWorld, runIsolationModel } from '../test/isolation/runner.js';

const commands = Number(process.argv[2] ?? process.env.ISOLATION_COMMANDS ?? 10_000);
const seed = Number(process.argv[3] ?? process.env.ISOLATION_SEED ?? Date.now() % 2 ** 31);
const checkEvery = Number(process.env.ISOLATION_CHECK_EVERY ?? 1);

const t = await startTestApp({ rateLimitMax: 0 });
const w = newWorld(t, checkEvery);
const started = Date.now();
let failures = 0;
try {
  const { runs } = await runIsolationModel(w, { minCommands: commands, commandsPerRun: 800, seed });
  process.stdout.write(`model runs: ${runs}\n`);
} catch (err) {
  failures = 1;
  process.stdout.write(`${(err as Error).message}\n`);
} finally {
  await t.stop();
}
const seconds = (Date.now() - started) / 1000;
process.stdout.write(
  [
    `database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded'}`,
    `seed: ${seed}`,
    `commands executed: ${w.stats.commands}`,
    `requests sent: ${w.stats.requests}`,
    `database checks against the model: ${w.stats.checks}`,
    `statuses: ${JSON.stringify(w.stats.statuses)}`,
    `tenants created: ${w.tenants.length}`,
    `failures: ${failures}`,
    `time: ${seconds.toFixed(1)} s`,
    `verdict: ${failures === 0 ? 'PASS' : 'FAIL'}`,
  ].join('\n') + '\n',
);
process.exit(failures === 0 ? 0 : 1);
