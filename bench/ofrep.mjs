// OFREP bulk evaluation: Cloison (production build, real PostgreSQL) against a bare Fastify
// server answering a comparable JSON body, both loaded by autocannon in the same run.
//   npm run bench:ofrep   (DATABASE_URL: default local PostgreSQL; BENCH_DURATION s per run, BENCH_ROUNDS;
//                          BENCH_CPU_PROF=<dir> writes CPU profiles of both servers during the measured
//                          rounds only)
// Prints req/s, p50, p99 and server CPU time per request for each (and for two diagnostic
// baselines: the bare route answering with the headers a Cloison answer carries, and a bare
// Fastify route served inside the Cloison process: what any route costs there), the ratio,
// throughput with 10 and 10,000 tenants, and memory per tenant snapshot. Each server runs in its
// own process, away from the load generator.
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { SERVICE_NODE_FLAGS, ask, startServer, withDb } from './bench-servers.mjs';

const BASE_URL = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const DURATION = Number(process.env.BENCH_DURATION || 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const CONNECTIONS = 32;
const TENANTS = 10_000;
const EXTRA_OPTIONS = 7; // the catalog has 23 options; the benchmark tenant has 30
const PATH = '/ofrep/v1/evaluate/flags';
const OPERATOR = `cln_bench-operator-${randomBytes(8).toString('hex')}`;
// The evaluation limit the server runs with, set as an operator would (environment); stated in the output.
const OFREP_LIMIT = process.env.CLOISON_OFREP_RATE_LIMIT_MAX || '300000';
const LIMIT_WINDOW_MS = process.env.CLOISON_RATE_LIMIT_WINDOW_MS || '60000';

const hash = (token) => createHash('sha256').update(token, 'utf8').digest('hex');

function benchCatalog() {
  const dir = mkdtempSync(join(tmpdir(), 'cloison-bench-catalog-'));
  mkdirSync(join(dir, 'options'));
  for (const f of readdirSync('catalog/options')) copyFileSync(join('catalog/options', f), join(dir, 'options', f));
  for (let i = 1; i <= EXTRA_OPTIONS; i++) {
    const key = `bench_option_${i}`;
    const text = { en: `Benchmark option ${i}`, fr: `Option de mesure ${i}` };
    const def = {
      key,
      version: 1,
      risk: 'low',
      title: text,
      description: text,
      schema: { type: 'string', maxLength: 64 },
      default: `default-${i}`,
    };
    writeFileSync(join(dir, 'options', `${key}.json`), JSON.stringify(def, null, 2));
  }
  return dir;
}

// Tenant values for 24 of the 30 options (never a critical one), all valid for their schemas.
const VALUES = {
  ui_language: 'en',
  vote_weights: true,
  revote: true,
  max_proxies: 2,
  retention_days: 400,
  proxy_mode: 'one_per_voter',
  sso: { enabled: true, issuer: 'https://id.example.org', allowedDomains: ['example.org'] },
  scrutineer_scope: ['turnout', 'event_log', 'emargement'],
  admin_ip_allowlist: ['10.0.0.1', '192.168.1.10'],
  voter_results_visibility: 'live',
  voter_receipt: 'none',
  results_publication_delay_minutes: 30,
  voter_second_factor: 'email',
  credential_reset: 'strong_self_service',
  schedule_change: 'locked',
  audit_webhook_url: 'https://hooks.example.org/cloison',
  admin_reopen_ballot: true,
  ...Object.fromEntries(Array.from({ length: EXTRA_OPTIONS }, (_, i) => [`bench_option_${i + 1}`, `tenant-value-${i + 1}`])),
};

const start = (kind, env, execArgv = []) => startServer(new URL('./ofrep-server.mjs', import.meta.url), kind, env, execArgv);

function load(port, tokens, options = {}) {
  let i = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    ...(options.amount ? {} : { duration: DURATION }),
    ...options,
    requests: [
      {
        method: 'POST',
        path: PATH,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ context: { targetingKey: 'voter-1' } }),
        setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${tokens[i++ % tokens.length]}` } }),
      },
    ],
  });
}

const figures = (r) => ({
  rps: r.requests.average,
  p50: r.latency.p50,
  p99: r.latency.p99,
  errors: r.non2xx + r.errors + r.timeouts,
  served: r.requests.total,
});
const row = (name, f) =>
  `${name.padEnd(34)} ${f.rps.toFixed(0).padStart(8)} req/s   p50 ${String(f.p50).padStart(3)} ms   p99 ${String(f.p99).padStart(3)} ms   CPU ${f.cpuUs.toFixed(0).padStart(3)} µs/req (kernel ${f.systemUs.toFixed(0).padStart(2)}, GC ${f.gcUs.toFixed(1).padStart(4)})${f.errors ? `   ERRORS ${f.errors}` : ''}`;

async function seed(url, tokens) {
  // Benchmark data written directly (not through the API, so not audited): tenants, one service
  // token each, and the same 24 tenant values for every tenant.
  await withDb(url, async (c) => {
    const ids = (
      await c.query(
        `INSERT INTO tenants (id, slug, name, risk_level)
         SELECT gen_random_uuid(), 'bench-' || i, 'Bench tenant ' || i, 2 FROM generate_series(0, $1::int - 1) i RETURNING id, slug`,
        [tokens.length],
      )
    ).rows
      .sort((a, b) => Number(a.slug.slice(6)) - Number(b.slug.slice(6)))
      .map((r) => r.id);
    await c.query(
      `INSERT INTO principals (id, name, role, tenant_id, token_hash, lineage_id)
       SELECT id, 'bench service', 'service', t, h, id::text FROM (SELECT gen_random_uuid() AS id, t, h FROM unnest($1::uuid[], $2::text[]) AS x(t, h)) p`,
      [ids, tokens.map(hash)],
    );
    const entries = Object.entries(VALUES);
    await c.query(
      `INSERT INTO option_values (tenant_id, option_key, is_set, value, version, updated_at, updated_by_id, updated_by)
       SELECT t, k, true, v::jsonb, 1, now(), 'bench', 'bench'
         FROM unnest($1::uuid[]) AS t CROSS JOIN unnest($2::text[], $3::text[]) AS kv(k, v)`,
      [ids, entries.map(([k]) => k), entries.map(([, v]) => JSON.stringify(v))],
    );
  });
}

async function main() {
  const dbName = `cloison_bench_${randomBytes(5).toString('hex')}`;
  await withDb(BASE_URL, (c) => c.query(`CREATE DATABASE ${dbName}`));
  const dbUrl = new URL(BASE_URL);
  dbUrl.pathname = `/${dbName}`;
  const catalogDir = benchCatalog();
  const children = [];
  try {
    // Default settings: LOG_LEVEL unset (info); evaluations write no access lines unless refused,
    // failed or slow (their log lines go to a discarded stdout).
    delete process.env.LOG_LEVEL;
    const cloison = start(
      'cloison',
      {
        DATABASE_URL: dbUrl.toString(),
        CLOISON_CATALOG_DIR: catalogDir,
        CLOISON_BOOTSTRAP_TOKEN: OPERATOR,
        CLOISON_OFREP_RATE_LIMIT_MAX: OFREP_LIMIT,
        CLOISON_RATE_LIMIT_WINDOW_MS: LIMIT_WINDOW_MS,
      },
      ['--expose-gc'],
    );
    children.push(cloison.child);
    const port = await cloison.ready;
    const tokens = Array.from({ length: TENANTS }, (_, i) => `cln_bench-${i}-${randomBytes(12).toString('base64url')}`);
    await seed(dbUrl.toString(), tokens);

    const sample = await fetch(`http://127.0.0.1:${port}${PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const sampleBody = await sample.text();
    const flags = JSON.parse(sampleBody).flags;
    if (sample.status !== 200 || flags.length !== 23 + EXTRA_OPTIONS) throw new Error(`unexpected sample answer ${sample.status}`);
    const tenantSet = flags.filter((f) => f.reason === 'TARGETING_MATCH').length;
    console.log(
      `Cloison at its default settings (LOG_LEVEL=info, node ${SERVICE_NODE_FLAGS.join(' ') || 'without flags'} as npm start, baselines too), PostgreSQL; load average (1 min) at start ${loadavg()[0].toFixed(2)}`,
    );
    console.log(
      `OFREP bulk body: ${flags.length} flags (${tenantSet} set by the tenant), ${sampleBody.length} bytes; ${CONNECTIONS} connections, ${DURATION} s per run`,
    );
    console.log(
      `OFREP rate limit: ${OFREP_LIMIT === '0' ? 'off' : `${OFREP_LIMIT} evaluations per token per ${LIMIT_WINDOW_MS} ms`} (CLOISON_OFREP_RATE_LIMIT_MAX, CLOISON_RATE_LIMIT_WINDOW_MS)\n`,
    );

    const bare = start('bare', { BENCH_BODY: sampleBody });
    children.push(bare.child);
    const barePort = await bare.ready;
    // The same route answering with the headers of Cloison's answer (all but the framing ones).
    const FRAMING = new Set(['content-length', 'content-type', 'date', 'connection', 'keep-alive', 'transfer-encoding']);
    const answerHeaders = Object.fromEntries([...sample.headers].filter(([name]) => !FRAMING.has(name)));
    const withHeaders = start('bare-headers', { BENCH_BODY: sampleBody, BENCH_HEADERS: JSON.stringify(answerHeaders) });
    children.push(withHeaders.child);
    const headersPort = await withHeaders.ready;

    const inProcessPort = await ask(cloison.child, { bareInProcess: sampleBody }, 'bareInProcess');
    const ten = tokens.slice(0, 10);
    // Server CPU time per request served, next to req/s: the load generator and any other work on
    // the machine share the cores, so req/s moves with them; the cost of one request moves less.
    const withCpu = async (child, run) => {
      const c0 = await ask(child, 'cpu', 'cpu');
      const f = figures(await run());
      const c1 = await ask(child, 'cpu', 'cpu');
      const served = Math.max(f.served, 1);
      // Garbage collection time (the server's own, not the forced ones between runs) per request: part of the CPU figure.
      return {
        ...f,
        cpuUs: (c1.us - c0.us) / served,
        systemUs: (c1.systemUs - c0.systemUs) / served,
        gcUs: ((c1.gcMs - c0.gcMs) * 1000) / served,
      };
    };
    const measured = async (run) => {
      const a = await ask(cloison.child, 'memory', 'memory');
      const f = await withCpu(cloison.child, run);
      const b = await ask(cloison.child, 'memory', 'memory');
      return { ...f, builds: b.builds - a.builds, lookups: b.principalMisses - a.principalMisses };
    };

    await load(barePort, ten, { duration: 2 }); // warm-up (JIT)
    await load(headersPort, ten, { duration: 2 });
    await load(port, ten, { duration: 2 }); // warm-up: JIT, snapshots, principal cache
    const before = await ask(cloison.child, 'memory', 'memory');
    await load(port, tokens, { amount: TENANTS, connections: 8 }); // every tenant once: cold builds
    const after = await ask(cloison.child, 'memory', 'memory');

    // Rounds interleave the three loads, so that a machine shared with other work disturbs them
    // alike; the medians are compared. Every Cloison run has the same 10,000 snapshots in memory.
    const runs = { bare: [], headers: [], inProcess: [], ten: [], all: [] };
    const profileDir = process.env.BENCH_CPU_PROF;
    if (profileDir) {
      mkdirSync(profileDir, { recursive: true });
      for (const c of [cloison.child, bare.child]) await ask(c, { profileStart: true }, 'profiling');
    }
    // Each server sits idle while the other is measured, and V8 shrinks an idle heap: one second of
    // unmeasured load before every run (both servers alike) measures the steady state, not the
    // regrowth of the young generation.
    const settled = async (p, list, run) => {
      await load(p, list, { duration: 1 });
      return run();
    };
    for (let r = 0; r < ROUNDS; r++) {
      runs.bare.push(await settled(barePort, ten, () => withCpu(bare.child, () => load(barePort, ten))));
      runs.headers.push(await settled(headersPort, ten, () => withCpu(withHeaders.child, () => load(headersPort, ten))));
      runs.inProcess.push(await settled(inProcessPort, ten, () => withCpu(cloison.child, () => load(inProcessPort, ten))));
      runs.ten.push(await settled(port, ten, () => measured(() => load(port, ten))));
      runs.all.push(await settled(port, tokens, () => measured(() => load(port, tokens))));
    }
    if (profileDir) {
      for (const c of [cloison.child, bare.child])
        console.log(`CPU profile of the measured rounds: ${await ask(c, { profileStop: profileDir }, 'profiled')}`);
    }
    const median = (list) => {
      // With an even number of rounds, the mean of the middle two (not the better one).
      const by = (k) => {
        const v = list.map((x) => x[k]).sort((a, b) => a - b);
        const mid = Math.floor(v.length / 2);
        return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
      };
      return {
        rps: by('rps'),
        p50: by('p50'),
        p99: by('p99'),
        cpuUs: by('cpuUs'),
        systemUs: by('systemUs'),
        errors: list.reduce((n, x) => n + x.errors, 0),
        gcUs: by('gcUs'),
      };
    };
    const [fBare, fHeaders, fIn, fTen, fAll] = [runs.bare, runs.headers, runs.inProcess, runs.ten, runs.all].map(median);
    for (const [name, list] of [
      ['bare', runs.bare],
      ['bare with the same headers', runs.headers],
      ['bare in Cloison', runs.inProcess],
      ['10 tenants', runs.ten],
      [`${TENANTS} tenants`, runs.all],
    ]) {
      console.log(
        `  rounds, ${name}: ${list.map((f) => `${f.rps.toFixed(0)} req/s p99 ${f.p99} ms ${f.cpuUs.toFixed(0)} µs`).join(' | ')}`,
      );
    }
    console.log('');
    console.log(`medians of ${ROUNDS} rounds:`);
    console.log(row('bare Fastify (same JSON bytes)', fBare));
    console.log(row("bare Fastify, Cloison's headers", fHeaders));
    console.log(row('bare Fastify inside Cloison process', fIn));
    console.log(row('Cloison OFREP bulk, 10 tenants', fTen));
    console.log(row(`Cloison OFREP bulk, ${TENANTS} tenants`, fAll));
    console.log('');
    console.log(
      `ratio Cloison/bare (10 tenants):     ${(fTen.rps / fBare.rps).toFixed(2)}  (goal >= 0.9; p99 ${fTen.p99} ms, goal <= 5 ms; load average ${loadavg()[0].toFixed(2)})`,
    );
    console.log(
      `ratio bare with Cloison's headers/bare: ${(fHeaders.rps / fBare.rps).toFixed(2)}  (${Object.keys(answerHeaders).length} headers: security headers, etag, x-request-id; what writing them through Fastify costs)`,
    );
    console.log(
      `ratio Cloison/bare with the same headers: ${(fTen.rps / fHeaders.rps).toFixed(2)}  (what authentication, policy, limits, metrics and the route cost)`,
    );
    console.log(
      `server CPU per request, Cloison/bare:  ${(fTen.cpuUs / fBare.cpuUs).toFixed(2)}  (${fTen.cpuUs.toFixed(0)} µs vs ${fBare.cpuUs.toFixed(0)} µs)`,
    );
    console.log(
      `server CPU per request, Cloison/bare Fastify inside the Cloison process:  ${(fTen.cpuUs / fIn.cpuUs).toFixed(2)}  (${fTen.cpuUs.toFixed(0)} µs vs ${fIn.cpuUs.toFixed(0)} µs: the route's own cost, apart from the process's)`,
    );
    console.log(`ratio ${TENANTS} tenants / 10 tenants: ${(fAll.rps / fTen.rps).toFixed(2)}  (goal within 10%)`);
    const grown = Math.max(after.snapshots - before.snapshots, 1);
    const perTenant = (after.heapUsed + after.external - before.heapUsed - before.external) / grown / 1024;
    console.log(
      `memory per tenant (snapshot + cached principal, heap + buffers): ${perTenant.toFixed(1)} KiB over ${grown} snapshots;` +
        ` snapshot buffers alone ${(after.snapshotBytes / Math.max(after.snapshots, 1) / 1024).toFixed(1)} KiB`,
    );
    const reads = [...runs.ten, ...runs.all].reduce((n, f) => ({ builds: n.builds + f.builds, lookups: n.lookups + f.lookups }), {
      builds: 0,
      lookups: 0,
    });
    console.log(
      `database reads during the measured Cloison runs: ${reads.builds} snapshot builds, ${reads.lookups} principal lookups (all warm: 0 and 0)`,
    );
  } finally {
    for (const c of children) c.connected ? c.send('exit') : c.kill();
    await new Promise((r) => setTimeout(r, 300));
    await withDb(BASE_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => undefined);
    rmSync(catalogDir, { recursive: true, force: true });
  }
}

process.on('SIGINT', () => process.exit(130));
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
