import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
const BASE = 'postgresql://postgres@127.0.0.1:5432/postgres';
const name = `cloison_q_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: BASE }); await admin.connect(); await admin.query(`CREATE DATABASE ${name}`); await admin.end();
const url = new URL(BASE); url.pathname = `/${name}`;
const TOKEN = 'cln_x-' + randomBytes(8).toString('hex');
const AUTH = { authorization: `Bearer ${TOKEN}` };
const prof = process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/speed-prof2'] : [];
const child = fork(new URL('./rest-server.mjs', import.meta.url), ['cloison'], { env: { ...process.env, DATABASE_URL: url.toString(), CLOISON_BOOTSTRAP_TOKEN: TOKEN, CLOISON_RATE_LIMIT_MAX: '1000000', ...(process.env.LL ? { LOG_LEVEL: process.env.LL } : {}) }, execArgv: prof, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const port = await new Promise((r) => child.on('message', (m) => m.port && r(m.port)));
const H = { ...AUTH, 'content-type': 'application/json' };
await fetch(`http://127.0.0.1:${port}/v1/tenants`, { method: 'POST', headers: H, body: JSON.stringify({ slug: 'q', name: 'q', riskLevel: 1 }) });
await fetch(`http://127.0.0.1:${port}/v1/tenants/q/options/retention_days`, { method: 'PUT', headers: H, body: JSON.stringify({ value: 40, reason: 'x' }) });
const path = process.env.P ?? '/v1/tenants/q/options/retention_days';
for (const c of (process.env.CONNS ?? "1,32").split(",").map(Number)) {
  const r = await autocannon({ url: `http://127.0.0.1:${port}`, connections: c, duration: Number(process.env.DUR ?? 4), requests: [{ method: 'GET', path, headers: AUTH }] });
  console.log(path, c, 'conns', r.requests.average, 'req/s p50', r.latency.p50, 'p99', r.latency.p99, 'non2xx', r.non2xx);
}
child.send('exit');
await new Promise((r) => setTimeout(r, 2000));
const c = new pg.Client({ connectionString: BASE }); await c.connect(); await c.query(`DROP DATABASE ${name} WITH (FORCE)`); await c.end();
