import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { durabilityProblems } from './verify.js';
import { freePort } from '#test/support/free-port';
import { request, startService, writeLoad, type Reply } from './support.js';

const OUTAGE_MS = 3000;
const CONNECT_TIMEOUT_MS = 1000;
/**
 * Refusals must come back, not hang until the client gives up: every one within three
 * connection timeouts (a request reaches the database up to three times: its token, its
 * tenant, its change). The percentiles are printed; on a loaded machine they move with it.
 */
const FAIL_FAST_MAX_MS = CONNECT_TIMEOUT_MS * 3;

/**
 * A private PostgreSQL cluster (initdb in a temporary folder, its own port), so stopping it
 * disturbs no one else using the machine's server.
 */
async function privateCluster() {
  const version = readdirSync('/usr/lib/postgresql').sort().pop() as string;
  const bin = (name: string) => `/usr/lib/postgresql/${version}/bin/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'cloison-pgfault-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const port = await freePort();
  const asPostgres = (cmd: string, args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', bin(cmd), ...args], { stdio: 'pipe' });
  asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on`;
  const start = () => asPostgres('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  const stop = () => asPostgres('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    remove() {
      try {
        stop();
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * PostgreSQL stopped for a few seconds under a read and write load: while it is down the
 * service answers 503 with a JSON error, fast; it recovers by itself once the database is
 * back; every acknowledged write is stored and audited, and no write is half done.
 */
export async function pgRestartScenario(): Promise<{ passed: boolean; lines: string[] }> {
  const cluster = await privateCluster();
  const lines: string[] = [];
  const problems: string[] = [];
  try {
    const service = await startService({ DATABASE_URL: cluster.url, CLOISON_DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) });
    try {
      const tenants = Array.from({ length: 6 }, (_, i) => `outage-${i}`);
      for (const slug of tenants) {
        const r = await request(service.base, 'POST', '/v1/tenants', { slug, name: `Tenant ${slug}`, riskLevel: 2 });
        if (r.status !== 201)
          throw new Error(`creating ${slug}: ${r.status} ${r.transport ?? ''} ${JSON.stringify(r.body)}\n${service.output.join('')}`);
      }
      let done = false;
      const reads: (Reply & { at: number })[] = [];
      const reader = (async () => {
        while (!done) {
          const r = await request(service.base, 'GET', `/v1/tenants/${tenants[reads.length % tenants.length]}/options`);
          reads.push({ ...r, at: Date.now() });
          if (r.status !== 200) await sleep(50);
        }
      })();
      const load = writeLoad(service.base, tenants, 6, () => done);
      await sleep(1000);
      const downAt = Date.now();
      let upAt = 0;
      try {
        cluster.stop();
        await sleep(OUTAGE_MS);
      } finally {
        cluster.start();
        upAt = Date.now();
      }
      // Keep the load going until the service has answered 2xx for a while on its own.
      const deadline = upAt + 20_000;
      let recoveredAt = 0;
      while (Date.now() < deadline) {
        await sleep(200);
        const r = await request(service.base, 'GET', `/v1/tenants/${tenants[0]}/options/revote`);
        if (r.status === 200 && !recoveredAt) recoveredAt = Date.now();
        if (recoveredAt && Date.now() - recoveredAt > 1500) break;
      }
      done = true;
      const result = await load;
      await reader;
      const all = [...result.replies, ...reads];
      const during = all.filter((r) => r.at - r.ms >= downAt + 200 && r.at <= upAt);
      const refused = all.filter((r) => r.status !== 200 && r.status !== 201);
      const wrong = refused.filter((r) => {
        const b = r.body as { statusCode?: number; error?: string; message?: string } | null;
        return r.status !== 503 || b?.statusCode !== 503 || typeof b.message !== 'string';
      });
      const slow = refused.filter((r) => r.ms > FAIL_FAST_MAX_MS);
      const sorted = refused.map((r) => r.ms).sort((a, b) => a - b);
      const pct = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
      const after = all.filter((r) => r.at - r.ms > recoveredAt);
      lines.push(`outage ${((upAt - downAt) / 1000).toFixed(1)} s; requests ${all.length}, during the outage ${during.length}`);
      lines.push(
        `replies: ${JSON.stringify(countBy(all))}; refusals answered in p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${pct(1)} ms`,
      );
      lines.push(
        recoveredAt ? `recovered by itself ${((recoveredAt - upAt) / 1000).toFixed(1)} s after PostgreSQL was back` : 'did not recover',
      );
      if (!during.length) problems.push('no request was made while the database was down');
      if (during.some((r) => r.status === 200 || r.status === 201)) problems.push('a request succeeded while the database was down');
      if (wrong.length) problems.push(`${wrong.length} refusals were not 503 + JSON error, e.g. ${describe(wrong[0])}`);
      if (slow.length) problems.push(`${slow.length} refusals took longer than ${FAIL_FAST_MAX_MS} ms, e.g. ${describe(slow[0])}`);
      if (!recoveredAt) problems.push('the service did not recover within 20 s');
      if (after.some((r) => r.status !== 200 && r.status !== 201))
        problems.push(`failures after recovery: ${JSON.stringify(countBy(after))}`);
      const durability = await durabilityProblems(cluster.url, result.acked);
      lines.push(
        `acknowledged writes: ${result.acked.length}; ${durability.length ? `${durability.length} durability problems` : 'all stored and audited, no partial write'}`,
      );
      problems.push(...durability.slice(0, 20));
      if (process.env.FAULT_DEBUG) lines.push(service.output.join(''));
    } finally {
      await service.stop();
    }
  } finally {
    cluster.remove();
  }
  for (const p of problems) lines.push(`  ! ${p}`);
  return { passed: problems.length === 0, lines };
}

function countBy(replies: Reply[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies) {
    const k = r.transport ? `transport:${r.transport}` : String(r.status);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

function describe(r: Reply | undefined): string {
  return r ? `${r.status}${r.transport ? ` (${r.transport})` : ''} in ${Math.round(r.ms)} ms: ${JSON.stringify(r.body).slice(0, 200)}` : '';
}
