/**
 * Long run of the isolation model (test/isolation): `npm run soak:isolation -- [commands] [seed]
 * [adversary moves]`, the honest model then one operator acting alone (10,000 moves by default).
 * Against PostgreSQL when DATABASE_URL is set (a fresh database is created and dropped), else
 * the embedded database. Prints commands and requests executed, failures and the seed; a
 * failure also prints fast-check's report with the shrunk list of commands, and exits 1.
 */
import { startTestApp } from '#test/support/test-app';
import { runAdversary } from '#test/isolation/adversary';
import { newWorld, runIsolationModel, summary } from '#test/isolation/runner';

const commands = Number(process.argv[2] ?? process.env.ISOLATION_COMMANDS ?? 10_000);
const seed = Number(process.argv[3] ?? process.env.ISOLATION_SEED ?? Date.now() % 2 ** 31);
const adversarySteps = Number(process.argv[4] ?? process.env.ISOLATION_ADVERSARY_STEPS ?? 10_000);
const checkEvery = Number(process.env.ISOLATION_CHECK_EVERY ?? 1);
// A failing run is shrunk for up to this long; the smallest failing list found is printed.
const runBudgetMs = Number(process.env.ISOLATION_RUN_BUDGET_MS ?? 600_000);

const t = await startTestApp({ rateLimitMax: 0, authFailureMax: 0, ofrepRateLimitMax: 0 });
const w = await newWorld(t, checkEvery);
const started = Date.now();
let failures = 0;
let lines: string[] = [];
const adversary = await newWorld(t, 1);
let adversaryLines: string[] = [];
try {
  const { runs } = await runIsolationModel(w, { minCommands: commands, commandsPerRun: 800, seed, runBudgetMs });
  process.stdout.write(`model runs: ${runs}\n`);
  const a = await runAdversary(adversary, { minSteps: adversarySteps, stepsPerRun: 400, seed, runBudgetMs });
  adversaryLines = [`adversary runs: ${a.runs}`, `adversary outcomes: ${JSON.stringify(a.tally)}`];
} catch (err) {
  failures = 1;
  // fast-check keeps what failed in the cause: the model's mismatch, with the request that showed it.
  process.stdout.write(`${(err as Error).message}\n${String((err as Error).cause ?? '')}\n`);
} finally {
  lines = await summary(w).catch((err: unknown) => [`summary unavailable: ${String(err)}`]);
  const more = await summary(adversary).catch((err: unknown) => [`summary unavailable: ${String(err)}`]);
  adversaryLines = [...more.slice(0, 5).map((l) => `adversary ${l}`), ...adversaryLines];
  await t.stop();
}
const seconds = (Date.now() - started) / 1000;
process.stdout.write(
  `${[
    `database: ${process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded'}`,
    `seed: ${seed}`,
    ...lines,
    ...adversaryLines,
    `failures: ${failures}`,
    `time: ${seconds.toFixed(1)} s`,
    `verdict: ${failures === 0 ? 'PASS' : 'FAIL'}`,
  ].join('\n')}\n`,
);
process.exit(failures === 0 ? 0 : 1);
