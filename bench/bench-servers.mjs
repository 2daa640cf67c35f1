// What the HTTP benchmarks share: a short-lived database client, and the servers they measure,
// each a forked child that reports its port and answers questions over IPC.
import { fork } from 'node:child_process';
import pg from 'pg';

export async function withDb(url, fn) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Forks `script` (a URL) as a server of `kind`; `ready` resolves to the port it listens on. */
export function startServer(script, kind, env, execArgv = []) {
  const child = fork(script, [kind], {
    env: { ...process.env, ...env },
    execArgv,
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
