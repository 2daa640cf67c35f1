/**
 * Fault scenarios against the built service (`node dist/apps/api/src/main.js`):
 *   npm run faults              kill -9 under write load, then PostgreSQL stopped and restarted
 *   npm run faults -- kill9     only the kill -9 scenario
 *   npm run faults -- pg-restart only the database outage (a private, temporary PostgreSQL cluster)
 * DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres) is where the kill -9
 * scenario creates, and drops, its database. Prints each scenario's verdict; exits 1 on failure.
 */
import { killNineScenario } from './kill9.js';
import { pgRestartScenario } from './pg-restart.js';

const baseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const only = process.argv[2];
const scenarios: [string, () => Promise<{ passed: boolean; lines: string[] }>][] = [
  ['kill -9 during write load', () => killNineScenario(baseUrl)],
  ['PostgreSQL stopped and restarted under load', () => pgRestartScenario()],
];

let failed = 0;
let passed = 0;
for (const [name, run] of scenarios) {
  if (only && !name.toLowerCase().includes(only === 'kill9' ? 'kill -9' : 'postgresql')) continue;
  process.stdout.write(`== ${name}\n`);
  try {
    const result = await run();
    for (const line of result.lines) process.stdout.write(`${line}\n`);
    process.stdout.write(`verdict: ${result.passed ? 'PASS' : 'FAIL'}\n`);
    if (result.passed) passed++;
    else failed++;
  } catch (err) {
    failed++;
    process.stdout.write(`error: ${(err as Error).stack ?? String(err)}\nverdict: FAIL\n`);
  }
}
process.stdout.write(`fault scenarios passed: ${passed}, failed: ${failed}\n`);
process.exit(failed ? 1 : 0);
