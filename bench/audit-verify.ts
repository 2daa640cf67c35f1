// Offline verification speed: generates an export of N events (default 1,000,000) into a
// temporary file, then verifies it in a child process exactly as `cloison audit verify` does,
// printing the time and the child's peak RSS, then the same verification with no worker thread
// as the baseline. Run: npm run bench:audit-verify [-- N]; BENCH_KEEP=1 keeps the export,
// BENCH_FILE=<export> BENCH_KEY=<public key base64> verifies a kept one instead of generating.
import { generateKeyPairSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { verifyExportBytes } from '#audit-format';
import { parsePublicKey } from '#audit-format';
import { syntheticExport } from '#test/support/audit-export.fixture';

const TENANTS = 50;
const CHECKPOINT_EVERY = 1000;

async function generate(file: string, n: number): Promise<string> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const out = createWriteStream(file);
  for (const line of syntheticExport({ events: n, tenants: TENANTS, checkpointEvery: CHECKPOINT_EVERY, privateKey })) {
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

async function verifyChild(file: string, key: string, workers: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const opts = workers === 'default' ? {} : { workers: Number(workers) };
  const result = await verifyExportBytes(createReadStream(file, { highWaterMark: 1 << 20 }), parsePublicKey(key), opts);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(`${JSON.stringify({ result, ms, cpuMs, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

interface Run {
  result: { ok: boolean; checked: number };
  ms: number;
  cpuMs: number;
  maxRssKb: number;
}

/** A fresh process, so that its peak RSS is the verifier's alone. */
function verifyIn(file: string, key: string, workers: string): Run {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--verify', file, key, workers], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  const run = JSON.parse(child.stdout) as Run;
  if (!run.result.ok) throw new Error(`verification failed: ${JSON.stringify(run.result)}`);
  return run;
}

const figures = (r: Run) =>
  `${(r.ms / 1000).toFixed(2)} s wall, ${(r.cpuMs / 1000).toFixed(2)} s CPU = ${Math.round(r.result.checked / (r.ms / 1000)).toLocaleString('en')} events/s; ` +
  `peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  if (process.argv[2] === '--verify') return verifyChild(process.argv[3] as string, process.argv[4] as string, process.argv[5] as string);
  const n = Number(process.argv[2] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'cloison-bench-'));
  let file = join(dir, 'audit.jsonl');
  let key: string;
  try {
    if (process.env.BENCH_FILE && process.env.BENCH_KEY) {
      file = process.env.BENCH_FILE;
      key = process.env.BENCH_KEY;
      process.stdout.write(`reusing ${file} (${(statSync(file).size / 1e6).toFixed(0)} MB)\n`);
    } else {
      const g0 = Date.now();
      key = await generate(file, n);
      process.stdout.write(
        `generated ${n.toLocaleString('en')} events (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${((Date.now() - g0) / 1000).toFixed(1)} s\n`,
      );
    }
    const parallel = verifyIn(file, key, 'default');
    process.stdout.write(
      `verified ${parallel.result.checked.toLocaleString('en')} events (global chain + ${TENANTS} tenant chains, one signed checkpoint per ` +
        `${CHECKPOINT_EVERY} events) as \`cloison audit verify\` does: ${figures(parallel)} (goal: <= 5 s)\n`,
    );
    // Baseline in the same run: the same verifier with every batch digested in the main thread.
    const single = verifyIn(file, key, '0');
    process.stdout.write(`baseline, one thread: ${figures(single)}; parallel is ${(single.ms / parallel.ms).toFixed(2)}x faster\n`);
    if (process.env.BENCH_KEEP) process.stdout.write(`kept ${file}, public key ${key}\n`);
  } finally {
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
