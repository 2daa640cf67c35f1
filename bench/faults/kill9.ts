import { generateKeyPairSync } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { durabilityProblems } from './verify.js';
import { freshDatabase, request, startService, writeLoad, type Acked, type LoadResult } from './support.js';

const ROUNDS = 3;
const WORKERS = 12;

/** The hash chains as the restarted service verifies them (GET /v1/audit/verify). */
async function chainProblems(base: string): Promise<string[]> {
  // Sign a checkpoint over everything written so far: the restarted service's own write covers the
  // tail written before the kill, since each link hashes its predecessor.
  const checkpoint = await request(base, 'POST', '/v1/audit/checkpoints');
  if (checkpoint.status !== 201) return [`checkpoint after restart answered ${checkpoint.status}`];
  const r = await request(base, 'GET', '/v1/audit/verify');
  const body = r.body as { ok?: boolean; reason?: string; firstBrokenSeq?: number };
  if (r.status !== 200) return [`audit verification answered ${r.status}`];
  return body.ok === true ? [] : [`audit chain does not verify: ${body.reason} at seq ${body.firstBrokenSeq}`];
}

/**
 * `kill -9` of the service in the middle of a write load, three times over, on a fresh
 * PostgreSQL database: after each restart every write that got a 2xx is in the database and
 * in the audit log, and no write is half done.
 */
export async function killNineScenario(baseUrl: string): Promise<{ passed: boolean; lines: string[] }> {
  const db = await freshDatabase(baseUrl);
  const lines: string[] = [];
  const acked: Acked[] = [];
  let passed = true;
  try {
    const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const env = { DATABASE_URL: db.url, CLOISON_AUDIT_SIGNING_KEY: signingKey };
    let service = await startService(env);
    const tenants = Array.from({ length: 8 }, (_, i) => `kill-${i}`);
    for (const slug of tenants) {
      const r = await request(service.base, 'POST', '/v1/tenants', { slug, name: `Tenant ${slug}`, riskLevel: 2 });
      if (r.status !== 201)
        throw new Error(`creating ${slug}: ${r.status} ${r.transport ?? ''} ${JSON.stringify(r.body)}\n${service.output.join('')}`);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      let killed = false;
      const progress: LoadResult = { acked: [], statuses: {}, replies: [] };
      const load = writeLoad(service.base, tenants, WORKERS, () => killed, progress);
      // Kill at a random moment once the load is in full swing, with writes in flight.
      const target = 100 + Math.floor(Math.random() * 200);
      const deadline = Date.now() + 15_000;
      while (progress.acked.length < target && Date.now() < deadline) await sleep(10);
      await sleep(Math.floor(Math.random() * 50));
      await service.kill9();
      killed = true;
      const result = await load;
      acked.push(...result.acked);
      service = await startService(env);
      const problems = await durabilityProblems(db.url, acked);
      // A checkpoint only vouches for chain heads its own process wrote (a row slipped in while
      // the service was down must not be signed blindly): the restarted service writes first.
      const after = await request(service.base, 'PUT', `/v1/tenants/${tenants[0]}/options/max_proxies`, {
        value: round,
        reason: 'after restart',
      });
      if (after.status !== 200) problems.push(`write after restart answered ${after.status}`);
      else acked.push({ kind: 'option', tenant: tenants[0] as string, key: 'max_proxies', value: round });
      problems.push(...(await chainProblems(service.base)));
      lines.push(
        `round ${round}: ${result.acked.length} writes acknowledged before kill -9, replies ${JSON.stringify(result.statuses)}; ` +
          `after restart ${problems.length ? `${problems.length} problems` : 'all present and audited, no partial write, audit chains verify'}`,
      );
      for (const p of problems.slice(0, 20)) lines.push(`  ! ${p}`);
      if (problems.length) passed = false;
    }
    await service.stop();
    lines.push(`total acknowledged writes checked: ${acked.length}`);
    // The check itself must be able to fail: an acknowledgement that never happened is reported.
    const fake = await durabilityProblems(db.url, [
      ...acked,
      { kind: 'option', tenant: tenants[0] as string, key: 'revote', value: 'never written' },
    ]);
    const selfCheck = fake.some((p) => p.includes('never written'));
    lines.push(`verifier self-check (a fabricated acknowledgement is reported): ${selfCheck ? 'ok' : 'FAILED'}`);
    if (!selfCheck) passed = false;
  } finally {
    await db.drop();
  }
  return { passed, lines };
}
