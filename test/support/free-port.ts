import { createServer } from 'node:net';

// Ports handed to child servers come from below the system's ephemeral range (32768–60999 on Linux):
// a port the system picked with listen(0) can be taken again at once by the local end of any outgoing
// connection (the tests open hundreds to PostgreSQL) or by another worker's listen(0), before the child
// binds it. Each jest worker draws from its own block, so two workers never hand out the same port;
// within it, a quarter chosen by process id keeps two jest runs at once (same worker ids) apart too.
const BLOCK = 400;
const FIRST = 20_000;
const worker = Number(process.env.JEST_WORKER_ID ?? '1');
const base = FIRST + ((worker - 1) % 30) * BLOCK + ((process.pid % 4) * BLOCK) / 4;
let next = 0;

function bindable(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** A TCP port on 127.0.0.1, free now and handed out by no other test process, for a server to start on. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < BLOCK / 4; tries += 1) {
    const port = base + (next++ % (BLOCK / 4));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${base}–${base + BLOCK / 4 - 1}`);
}
