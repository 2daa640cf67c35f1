// Audited option changes per second at 1, 4 and 16 concurrent writers on PostgreSQL, against
// a baseline measured in the same run: the same write path (lock, version check, upsert, same
// transaction) with the audit recorder replaced by a no-op. Each writer changes its own
// tenant's option, so the shared global chain head is the contention point being measured.
// Run: npm run bench:audit [-- seconds-per-run]   (DATABASE_URL defaults to the local server)
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createApp } from '../apps/api/src/app.factory.js';
import { AuditChainService } from '../apps/api/src/audit/audit-chain.service.js';
import { loadConfig } from '../apps/api/src/config/app.config.js';
import { OptionsService } from '../apps/api/src/options/options.service.js';
import { TenantsService } from '../apps/api/src/tenants/tenants.service.js';
import type { AuditRecorder } from '../libs/audit/src/index.js';
import { ChangeGate } from '../libs/change-control/src/index.js';
// The baseline needs an option store without audit; the application never builds one.
import { ChangeRequestStore } from '../libs/change-control/src/change-request.store.js';
import { OptionStore } from '../libs/change-control/src/option-store.js';
import { SnapshotCache } from '../libs/evaluation/src/index.js';
import { defineAbilityFor, type PolicyContext } from '../libs/policy/src/index.js';
import { Registry } from '../libs/registry/src/index.js';
import { TenantScopeService, type AuthenticatedPrincipal } from '../libs/tenancy/src/index.js';

const LEVELS = [1, 4, 16];
const SECONDS = Number(process.argv[2] ?? 5);
const BASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: BASE_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function run(writers: number, change: (writer: number, n: number) => Promise<unknown>): Promise<number> {
  const until = Date.now() + SECONDS * 1000;
  let done = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let n = 0; Date.now() < until; n++) {
        await change(w, n);
        done++;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const name = `cloison_bench_audit_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  const app = await createApp({
    ...loadConfig({}, process.cwd()),
    databaseUrl: url.toString(),
    dataDir: undefined,
    logLevel: 'silent',
    poolSize: 24,
    bootstrapToken: `cln_bench-${randomBytes(16).toString('hex')}`,
  });
  try {
    const principal: AuthenticatedPrincipal = { id: randomUUID(), name: 'bench operator', role: 'operator', tenantId: null, tenantSlug: null };
    const ability = defineAbilityFor(principal);
    const base: PolicyContext = { requestId: 'bench', principal, ability };
    const tenantsService = app.app.get(TenantsService);
    const tenants: { id: string; slug: string; name: string; riskLevel: number }[] = [];
    for (let i = 0; i < Math.max(...LEVELS); i++) {
      const t = await tenantsService.create(base, { slug: `bench-${i}`, name: `Bench ${i}`, riskLevel: 1 });
      tenants.push(t);
    }
    const ctxOf = (w: number): PolicyContext => ({ ...base, requestId: `bench-${w}`, tenant: tenants[w] });
    const audited = app.app.get(OptionsService);
    const noAudit = { record: async () => ({ seq: 0n }) } as unknown as AuditRecorder;
    const unauditedGate = new ChangeGate(app.app.get(Registry), new OptionStore(noAudit), new ChangeRequestStore(noAudit));
    const unaudited = new OptionsService(app.app.get(TenantScopeService), app.app.get(Registry), unauditedGate, app.app.get(SnapshotCache));
    const body = (n: number) => ({ value: 30 + (n % 3000), reason: 'bench' });
    let salt = 0;
    const rows: string[] = [];
    process.stdout.write(`PostgreSQL, ${SECONDS} s per run, writers on distinct tenants\n`);
    process.stdout.write('writers  baseline/s  audited/s  audited/baseline\n');
    for (const writers of LEVELS) {
      // Distinct values per run so that no change is a no-op.
      const s = (salt += 7);
      const baseline = await run(writers, (w, n) => unaudited.set(ctxOf(w), 'retention_days', body(n + s), undefined));
      const withAudit = await run(writers, (w, n) => audited.set(ctxOf(w), 'retention_days', body(n + s + 3), undefined));
      const row = `${String(writers).padStart(7)}  ${baseline.toFixed(0).padStart(10)}  ${withAudit.toFixed(0).padStart(9)}  ${(withAudit / baseline).toFixed(2).padStart(16)}`;
      rows.push(row);
      process.stdout.write(row + '\n');
    }
    const verify = await app.app.get(AuditChainService).verify(base);
    process.stdout.write(`global chain after the run: ${JSON.stringify(verify)} (goal: >= 1,500 audited changes/s at 16 writers)\n`);
  } finally {
    await app.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
