// What the HTTP benchmarks share: a short-lived database client, and the servers they measure,
// each a forked child that reports its port and answers questions over IPC.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';

/**
 * The Node flags `npm start` runs the service with (package.json, the one place they are
 * written). Every server a benchmark starts gets them, baselines included: the figures are
 * those of the service as started, and a ratio to a baseline compares code, not runtime settings.
 */
export const SERVICE_NODE_FLAGS = (() => {
  const start = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts.start.split(/\s+/);
  if (start[0] !== 'node') throw new Error(`npm start does not run node: ${start.join(' ')}`);
  return start.slice(1).filter((word) => word.startsWith('--'));
})();

export async function withDb(url, fn) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Forks `script` (a URL) as a server of `kind`, with the service's Node flags; `ready` resolves to the port it listens on. */
export function startServer(script, kind, env, execArgv = []) {
  const child = fork(script, [kind], {
    env: { ...process.env, ...env },
    execArgv: [...SERVICE_NODE_FLAGS, ...execArgv],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)));
    const on = (m) => m.port && (child.off('message', on), resolve(m.port));
    child.on('message', on);
  });
  return { child, ready };
}

/** Sends `msg` to a server and resolves to the `field` of its first answer that has one. */
export const ask = (child, msg, field) =>
  new Promise((resolve) => {
    const on = (m) => m[field] && (child.off('message', on), resolve(m[field]));
    child.on('message', on);
    child.send(msg);
  });
