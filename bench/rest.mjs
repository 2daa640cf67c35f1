// The REST API through real HTTP: Cloison (production build, real PostgreSQL, default settings:
// LOG_LEVEL=info) against a bare Fastify route answering the same bytes, and audited writes against
// OptionsService.set called in-process, all measured in the same run, rounds interleaved.
//   npm run bench:rest   (DATABASE_URL: default local PostgreSQL; BENCH_DURATION s per run, BENCH_ROUNDS;
//                         BENCH_CPU_PROF=<dir> writes CPU profiles of both servers; BENCH_GET_ONLY=1 skips the PUT runs;
//                         BENCH_WRITERS=16 (or 1,4,16: the default) chooses the PUT runs)
// Real tokens (the bootstrap operator's), tenants created through the API, every change audited;
// the chain is verified through the API afterwards. The rate limit is raised (not turned off) so
// that its per-request work is measured but a benchmark's volume is not refused.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { ask, startServer, withDb } from './bench-servers.mjs';

const BASE_URL = process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const DURATION = Number(process.env.BENCH_DURATION || 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const CONNECTIONS = 32;
const WRITERS = process.env.BENCH_GET_ONLY === '1' ? [] : (process.env.BENCH_WRITERS ?? '1,4,16').split(',').map(Number);
const KEY = 'retention_days';
const RATE_LIMIT = 1_000_000; // per token and minute: the schema's maximum
const OPERATOR = `cln_bench-operator-${randomBytes(8).toString('hex')}`;
const AUTH = { authorization: `Bearer ${OPERATOR}` };

const load1 = () => loadavg()[0].toFixed(2);

function start(kind, env) {
  // BENCH_CPU_PROF=<dir>: a CPU profile of each server, written when it exits.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  return startServer(new URL('./rest-server.mjs', import.meta.url), kind, env, prof);
}

async function call(port, method, path, body) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { ...AUTH, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text;
}

/** One request on `agent`'s kept-alive connection; resolves to its latency, ms. */
function timed(agent, port, method, path, body) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const headers = body ? { ...AUTH, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : AUTH;
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () =>
        res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`${method} answered ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (times, q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];

/**
 * `writers` clients, each in sequence on its own kept-alive connection and on its own tenant,
 * each request a new value (a change, never a no-op). With one client and GET: latency in sequence.
 */
async function clients(port, { method, writers, tenants, salt = 0 }) {
  const times = [];
  const until = Date.now() + DURATION * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const path = `/v1/tenants/${tenants[w % tenants.length]}/options/${KEY}`;
      for (let n = 0; Date.now() < until; n++) {
        const body = method === 'PUT' ? JSON.stringify({ value: 30 + ((salt + n) % 3000), reason: 'bench' }) : undefined;
        times.push(await timed(agent, port, method, path, body));
      }
      agent.destroy();
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  return {
    rps: times.length / seconds,
    served: times.length,
    seconds,
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    load: load1(),
  };
}

/** 32 connections reading at once (autocannon). */
async function loaded(port, path) {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [{ method: 'GET', path, headers: AUTH }],
  });
  return {
    rps: r.requests.average,
    served: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.non2xx + r.errors + r.timeouts,
    load: load1(),
  };
}

/** Runs `run` and adds the server's CPU time per request served (µs) to its figures. */
async function withCpu(child, run) {
  const c0 = await ask(child, 'cpu', 'cpu');
  const f = await run();
  const c1 = await ask(child, 'cpu', 'cpu');
  return { ...f, cpuUs: (c1.us - c0.us) / Math.max(f.served, 1) };
}

const median = (list, k) => {
  const v = list.map((x) => x[k]).sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};
const ms = (x) => `${x.toFixed(2)} ms`;

async function main() {
  const dbName = `cloison_bench_rest_${randomBytes(5).toString('hex')}`;
  await withDb(BASE_URL, (c) => c.query(`CREATE DATABASE ${dbName}`));
  const dbUrl = new URL(BASE_URL);
  dbUrl.pathname = `/${dbName}`;
  const countEvents = () =>
    withDb(dbUrl.toString(), async (c) => Number((await c.query('SELECT count(*) AS n FROM audit_events')).rows[0].n));
  const children = [];
  try {
    // Default settings (LOG_LEVEL unset: info; log lines written to a discarded stdout), except the
    // rate limit, raised as a benchmarking user would.
    const env = { DATABASE_URL: dbUrl.toString(), CLOISON_BOOTSTRAP_TOKEN: OPERATOR, CLOISON_RATE_LIMIT_MAX: String(RATE_LIMIT) };
    delete process.env.LOG_LEVEL;
    const cloison = start('cloison', env);
    children.push(cloison.child);
    const port = await cloison.ready;
    const slugs = Array.from({ length: Math.max(1, ...WRITERS) }, (_, i) => `bench-${i}`);
    const refs = [];
    for (const slug of slugs) {
      await call(port, 'POST', '/v1/tenants', { slug, name: `Bench ${slug}`, riskLevel: 1 });
      const t = JSON.parse(await call(port, 'GET', `/v1/tenants/${slug}`));
      refs.push({ id: t.id, slug: t.slug, name: t.name, riskLevel: t.riskLevel });
    }
    const putSample = await call(port, 'PUT', `/v1/tenants/${slugs[0]}/options/${KEY}`, { value: 400, reason: 'bench' });
    const getSample = await call(port, 'GET', `/v1/tenants/${slugs[0]}/options/${KEY}`);
    const bare = start('bare', { BENCH_GET_BODY: getSample, BENCH_PUT_BODY: putSample });
    children.push(bare.child);
    const barePort = await bare.ready;
    const getPath = `/v1/tenants/${slugs[0]}/options/${KEY}`;
    console.log(
      `REST benchmark: Cloison at default settings (LOG_LEVEL=info, access lines written), rate limit ${RATE_LIMIT}/min per token,` +
        ` PostgreSQL; ${DURATION} s per run, ${ROUNDS} rounds, medians; load average (1 min) shown as "load"\n`,
    );

    // Warm-up (JIT, pools, caches) of both servers.
    await clients(barePort, { method: 'GET', writers: 1, tenants: slugs });
    await clients(port, { method: 'GET', writers: 1, tenants: slugs });
    if (WRITERS.length) await clients(port, { method: 'PUT', writers: 4, tenants: slugs, salt: 1 });

    const runs = { seqBare: [], seq: [], getBare: [], get: [] };
    for (const w of WRITERS) Object.assign(runs, { [`putBare${w}`]: [], [`put${w}`]: [], [`inproc${w}`]: [] });
    let salt = 11;
    for (let r = 0; r < ROUNDS; r++) {
      const [b, c] = [bare.child, cloison.child];
      runs.seqBare.push(await withCpu(b, () => clients(barePort, { method: 'GET', writers: 1, tenants: slugs })));
      runs.seq.push(await withCpu(c, () => clients(port, { method: 'GET', writers: 1, tenants: slugs })));
      runs.getBare.push(await withCpu(b, () => loaded(barePort, getPath)));
      runs.get.push(await withCpu(c, () => loaded(port, getPath)));
      for (const w of WRITERS) {
        runs[`putBare${w}`].push(await withCpu(b, () => clients(barePort, { method: 'PUT', writers: w, tenants: slugs })));
        const before = await countEvents();
        const f = await withCpu(c, () => clients(port, { method: 'PUT', writers: w, tenants: slugs, salt: (salt += 7) }));
        runs[`put${w}`].push({ ...f, audited: ((await countEvents()) - before) / f.seconds });
        const e0 = await countEvents();
        const inproc = await ask(
          cloison.child,
          { inProcess: { tenants: refs.slice(0, w), seconds: DURATION, salt: (salt += 7), key: KEY } },
          'inProcessDone',
        );
        runs[`inproc${w}`].push({ audited: ((await countEvents()) - e0) / inproc.seconds, load: load1() });
      }
      console.log(`round ${r + 1}/${ROUNDS} done (load ${load1()})`);
    }

    const loads = (list) => list.map((x) => x.load).join('/');
    console.log('\nGET one option, one client in sequence (latency):');
    const [sb, sc] = [runs.seqBare, runs.seq];
    const cpu = (list) => `server CPU ${median(list, 'cpuUs').toFixed(0)} µs/req`;
    console.log(`  bare Fastify   p50 ${ms(median(sb, 'p50'))}  p99 ${ms(median(sb, 'p99'))}   ${cpu(sb)}   (load ${loads(sb)})`);
    console.log(`  Cloison        p50 ${ms(median(sc, 'p50'))}  p99 ${ms(median(sc, 'p99'))}   ${cpu(sc)}   (load ${loads(sc)})`);
    console.log(`  ratio p50 Cloison/bare: ${(median(sc, 'p50') / median(sb, 'p50')).toFixed(2)}  (goal <= 2)`);
    console.log(`\nGET one option, ${CONNECTIONS} connections:`);
    const [gb, gc] = [runs.getBare, runs.get];
    console.log(`  bare Fastify   ${median(gb, 'rps').toFixed(0)} req/s  p99 ${median(gb, 'p99')} ms   ${cpu(gb)}   (load ${loads(gb)})`);
    console.log(
      `  Cloison        ${median(gc, 'rps').toFixed(0)} req/s  p99 ${median(gc, 'p99')} ms   ${cpu(gc)}   (load ${loads(gc)})   (goal p99 <= 10 ms; autocannon reports whole ms)`,
    );
    if (WRITERS.length) console.log('\nPUT one option, each writer its own tenant (Cloison: audited changes/s counted in the audit log):');
    for (const w of WRITERS) {
      const [b, c, i] = [runs[`putBare${w}`], runs[`put${w}`], runs[`inproc${w}`]];
      console.log(
        `  ${String(w).padStart(2)} writers: bare Fastify ${median(b, 'rps').toFixed(0).padStart(6)} req/s | Cloison HTTP ${median(c, 'audited').toFixed(0).padStart(5)} audited/s` +
          ` (p99 ${ms(median(c, 'p99'))}, ${median(c, 'cpuUs').toFixed(0)} µs CPU/req) | in-process OptionsService.set ${median(i, 'audited').toFixed(0).padStart(5)} audited/s   (load ${loads(c)})`,
      );
    }
    const errors = Object.values(runs)
      .flat()
      .reduce((n, f) => n + (f.errors ?? 0), 0);
    console.log(
      `${WRITERS.length ? '  goal: >= 1,500 audited changes/s through HTTP at 16 writers; ' : '\n'}non-2xx or failed requests: ${errors}`,
    );
    const verified = await call(port, 'GET', '/v1/audit/verify');
    console.log(`\naudit chain verified through the API after the run: ${verified}`);
  } finally {
    for (const c of children) c.connected ? c.send('exit') : c.kill();
    await new Promise((r) => setTimeout(r, process.env.BENCH_CPU_PROF ? 3000 : 300));
    await withDb(BASE_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => undefined);
  }
}

process.on('SIGINT', () => process.exit(130));
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
