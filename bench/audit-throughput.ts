// Audited option changes per second at 1, 4 and 16 concurrent writers on PostgreSQL, against
// a baseline measured in the same run: the same write path (read, seal and version check,
// upsert, one statement, then the link statement) with the audit append
// (`cloison_audit_append_unlinked`) and the global link (`cloison_audit_link_visible`) replaced by
// no-ops in the benchmark's own database. Each writer changes its own tenant's option: what is
// measured is what all tenants' changes share, the global chain and the commits.
// Run: npm run bench:audit [-- seconds-per-run]   (DATABASE_URL defaults to the local server)
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createApp } from '#api/app.factory';
import { AuditChainService } from '#audit/audit-chain.service';
import { loadConfig } from '#config';
import { OptionsService } from '#options';
import { TenantsService } from '#tenancy/tenants.service';
import { defineAbilityFor, type PolicyContext } from '#policy';
import type { AuthenticatedPrincipal } from '#tenancy';

const LEVELS = [1, 4, 16];
const SECONDS = Number(process.argv[2] ?? 5);
const BASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string, url = BASE_URL): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** The audit functions of a direct change, and what each returns when it writes nothing. */
const NO_OPS: [string, string][] = [
  ['cloison_audit_append_unlinked', `RETURN QUERY SELECT 0::bigint, 1::bigint, repeat('0', 64);`],
  ['cloison_audit_link_visible', `RETURN QUERY SELECT 0, 0::bigint, repeat('0', 64);`],
];

/** Swaps the audit append and link for ones that write nothing; returns the statements that restore them. */
async function withoutAudit(url: string): Promise<string[]> {
  const restore: string[] = [];
  for (const [fn, body] of NO_OPS) {
    const original = (await admin(`SELECT pg_get_functiondef('${fn}'::regproc) AS def`, url)).rows[0].def as string;
    const header = original.slice(0, original.search(/\sAS \$/));
    await admin(`${header} AS $f$ BEGIN ${body} END $f$`, url);
    restore.push(original);
  }
  return restore;
}

async function run(writers: number, change: (writer: number, n: number) => Promise<unknown>, seconds = SECONDS): Promise<number> {
  const until = Date.now() + seconds * 1000;
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
    bootstrapToken: `cln_bench-${randomBytes(16).toString('hex')}`,
  });
  try {
    const principal: AuthenticatedPrincipal = {
      id: randomUUID(),
      name: 'bench operator',
      role: 'operator',
      tenantId: null,
      tenantSlug: null,
    };
    const ability = defineAbilityFor(principal);
    const base: PolicyContext = { requestId: 'bench', principal, ability };
    const tenantsService = app.app.get(TenantsService);
    const tenants: { id: string; slug: string; name: string; riskLevel: number }[] = [];
    for (let i = 0; i < Math.max(...LEVELS); i++) {
      const t = await tenantsService.create(base, { slug: `bench-${i}`, name: `Bench ${i}`, riskLevel: 1 });
      tenants.push(t);
    }
    const ctxOf = (w: number): PolicyContext => ({ ...base, requestId: `bench-${w}`, tenant: tenants[w] });
    const options = app.app.get(OptionsService);
    const body = (n: number) => ({ value: 30 + (n % 3000), reason: 'bench' });
    let salt = 0;
    const rows: string[] = [];
    process.stdout.write(`PostgreSQL, ${SECONDS} s per run, writers on distinct tenants\n`);
    process.stdout.write('writers  baseline/s  audited/s  audited/baseline\n');
    // Warm up (JIT, plan caches, pool connections) so that the first baseline is not the slowest.
    await run(4, (w, n) => options.set(ctxOf(w), 'retention_days', body(n + 5000), undefined), 1);
    for (const writers of LEVELS) {
      // Distinct values per run so that no change is a no-op.
      const s = (salt += 7);
      const restore = await withoutAudit(url.toString());
      const baseline = await run(writers, (w, n) => options.set(ctxOf(w), 'retention_days', body(n + s), undefined));
      for (const def of restore) await admin(def, url.toString());
      const withAudit = await run(writers, (w, n) => options.set(ctxOf(w), 'retention_days', body(n + s + 3), undefined));
      const row = `${String(writers).padStart(7)}  ${baseline.toFixed(0).padStart(10)}  ${withAudit.toFixed(0).padStart(9)}  ${(withAudit / baseline).toFixed(2).padStart(16)}`;
      rows.push(row);
      process.stdout.write(`${row}\n`);
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
