// Offline verification speed: generates an export of N events (default 1,000,000) into a
// temporary file, then verifies it in a child process exactly as `cloison audit verify` does,
// printing the time and the child's peak RSS. Run: npm run bench:audit-verify [-- N]
import { generateKeyPairSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { GENESIS_HASH, contentHash, linkHash, type AuditContent } from '../libs/audit/src/audit.chain.js';
import { checkpointLine, endLine, eventLine, exportHeader } from '../libs/audit/src/audit.export.js';
import { verifyExportStream } from '../libs/audit/src/export.verifier.js';
import { parsePublicKey, publicKeyFingerprint, signCheckpoint } from '../libs/audit/src/audit.signing.js';

const TENANTS = Array.from({ length: 50 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const CHECKPOINT_EVERY = 1000;

async function generate(file: string, n: number): Promise<string> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key = publicKeyFingerprint(publicKey);
  const out = createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(JSON.stringify(exportHeader('global', null, key)) + '\n');
  let head = GENESIS_HASH;
  const tenantHeads = new Map<string, { seq: number; hash: string }>();
  let checkpoints = 0;
  const t0 = Date.now();
  for (let seq = 1; seq <= n; seq++) {
    const tenantId = seq % 10 === 0 ? null : (TENANTS[seq % TENANTS.length] as string);
    const before = 300 + (seq % 7);
    const c: AuditContent = {
      tenantId, at: new Date(t0 + seq).toISOString(), actor: { id: 'c0ffee00-0000-4000-8000-000000000001', name: 'operator', role: 'operator' },
      action: 'option.set', option: 'retention_days', before, after: before + 1, diff: [{ op: 'replace', path: '', value: before + 1 }],
      reason: 'retention aligned with the electoral code', requestId: `req-${seq}`,
    };
    const h = contentHash(c);
    head = linkHash(head, h);
    let tenantSeq: number | null = null;
    let tenantHash: string | null = null;
    if (tenantId) {
      const t = tenantHeads.get(tenantId) ?? { seq: 0, hash: GENESIS_HASH };
      tenantSeq = t.seq + 1;
      tenantHash = linkHash(t.hash, h);
      tenantHeads.set(tenantId, { seq: tenantSeq, hash: tenantHash });
    }
    await write(eventLine({ ...c, seq, tenantSeq, contentHash: h, hash: head, tenantHash }, 'global'));
    if (seq % CHECKPOINT_EVERY === 0 || seq === n) {
      checkpoints++;
      await write(checkpointLine(signCheckpoint({ chain: 'global', seq, head, at: new Date().toISOString(), key }, privateKey)));
    }
  }
  await write(endLine(n, checkpoints));
  out.end();
  await once(out, 'finish');
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

async function verifyChild(file: string, key: string): Promise<void> {
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const result = await verifyExportStream(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), parsePublicKey(key));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(JSON.stringify({ result, ms, cpuMs, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
}

async function main(): Promise<void> {
  if (process.argv[2] === '--verify') return verifyChild(process.argv[3] as string, process.argv[4] as string);
  const n = Number(process.argv[2] ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'cloison-bench-'));
  const file = join(dir, 'audit.jsonl');
  try {
    const g0 = Date.now();
    const key = await generate(file, n);
    process.stdout.write(`generated ${n.toLocaleString('en')} events (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${((Date.now() - g0) / 1000).toFixed(1)} s\n`);
    // A fresh process, so that its peak RSS is the verifier's alone.
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--verify', file, key], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(child.stderr);
    const { result, ms, cpuMs, maxRssKb } = JSON.parse(child.stdout) as { result: { ok: boolean; checked: number }; ms: number; cpuMs: number; maxRssKb: number };
    if (!result.ok) throw new Error(`verification failed: ${JSON.stringify(result)}`);
    process.stdout.write(
      `verified ${result.checked.toLocaleString('en')} events (global chain + ${TENANTS.length} tenant chains, ` +
        `${Math.ceil(n / CHECKPOINT_EVERY)} signed checkpoints) in ${(ms / 1000).toFixed(2)} s wall, ${(cpuMs / 1000).toFixed(2)} s CPU ` +
        `= ${Math.round(result.checked / (ms / 1000)).toLocaleString('en')} events/s; peak RSS ${(maxRssKb / 1024).toFixed(0)} MB (goal: <= 5 s)\n`,
    );
    if (process.env.BENCH_KEEP) process.stdout.write(`kept ${file}, public key ${key}\n`);
  } finally {
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
