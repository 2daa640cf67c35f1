import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from '#test/support/free-port';

export const TOKEN = 'cln_fault-scenario-operator-token';

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A new, empty database on the server `baseUrl` points at. */
export async function freshDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cloison_fault_${randomBytes(5).toString('hex')}`;
  await withClient(baseUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => withClient(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export interface Service {
  base: string;
  child: ChildProcess;
  output: string[];
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `node dist/apps/api/src/main.js` as its own process and waits until /health answers. */
export async function startService(env: Record<string, string>): Promise<Service> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      CLOISON_BOOTSTRAP_TOKEN: TOKEN,
      CLOISON_RATE_LIMIT_MAX: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d) => output.push(String(d)));
  child.stderr?.on('data', (d) => output.push(String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited during start:\n${output.join('')}`);
    const ok = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service did not become healthy:\n${output.join('')}`);
    }
    await sleep(100);
  }
  return {
    base,
    child,
    output,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
      }
    },
  };
}

export interface Reply {
  status: number;
  body: unknown;
  ms: number;
  /** Set when no HTTP answer came back (connection refused or reset, timeout). */
  transport?: string;
}

export async function request(base: string, method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<Reply> {
  const started = performance.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: kept as text for the report */
    }
    return { status: res.status, body: parsed, ms: performance.now() - started };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return { status: 0, body: null, ms: performance.now() - started, transport: cause };
  }
}

/** A write the service acknowledged with a 2xx: it must be in the database and the audit log. */
export interface Acked {
  kind: 'option' | 'tenant';
  tenant: string;
  key?: string;
  value?: unknown;
}

export interface LoadResult {
  acked: Acked[];
  statuses: Record<string, number>;
  replies: (Reply & { at: number })[];
}

/**
 * Writers that each set unique values (so every acknowledged write is recognisable) on the
 * given tenants, and now and then create a tenant, until `stop()` returns true.
 */
export async function writeLoad(
  base: string,
  tenants: string[],
  workers: number,
  stop: () => boolean,
  result: LoadResult = { acked: [], statuses: {}, replies: [] },
): Promise<LoadResult> {
  let n = 0;
  const count = (r: Reply) => {
    const k = r.transport ? `transport:${r.transport}` : String(r.status);
    result.statuses[k] = (result.statuses[k] ?? 0) + 1;
    result.replies.push({ ...r, at: Date.now() });
  };
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (!stop()) {
        const i = n++;
        if (i % 25 === 24) {
          const slug = `f${w}-${i}-${randomBytes(2).toString('hex')}`;
          const r = await request(base, 'POST', '/v1/tenants', { slug, name: `Fault ${slug}`, riskLevel: 1 });
          count(r);
          if (r.status === 201) result.acked.push({ kind: 'tenant', tenant: slug });
          continue;
        }
        const tenant = tenants[i % tenants.length] as string;
        const [key, value] =
          i % 2
            ? ['audit_webhook_url', `https://w${w}-${i}.example.org/hook`]
            : ['admin_ip_allowlist', [`10.${w}.${(i >> 8) & 255}.${i & 255}`]];
        const r = await request(base, 'PUT', `/v1/tenants/${tenant}/options/${key}`, { value, reason: `fault load ${i}` });
        count(r);
        if (r.status === 200) result.acked.push({ kind: 'option', tenant, key, value });
        else if (r.status === 0) await sleep(20);
      }
    }),
  );
  return result;
}
