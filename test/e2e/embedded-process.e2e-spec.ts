import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '#cli/cli';
import { DataDirBusyError, lockDataDir } from '#persistence/data-dir.lock';
import { freePort } from '../support/free-port.js';
import { tempDir } from '../support/test-app.js';

// Real `npm start` processes on the TypeScript sources (compiled on load by test/support/ts-hooks.mjs).
const ENTRY = ['--import', './test/support/ts-register.mjs', 'apps/api/src/main.ts'];
const TOKEN = 'cln_embedded-process-bootstrap-token';
const START_TIMEOUT_MS = 120_000;

interface Started {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  const base = { ...process.env };
  // The embedded database is the subject: never let a PostgreSQL run of the suite leak in.
  delete base.DATABASE_URL;
  delete base.NODE_OPTIONS;
  const child = spawn(process.execPath, ENTRY, {
    env: { ...base, HOST: '127.0.0.1', LOG_LEVEL: 'warn', CLOISON_BOOTSTRAP_TOKEN: TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => void (out += d));
  child.stderr?.on('data', (d) => void (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

async function listening(s: Started): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let ended = false;
  void s.exited.then(() => void (ended = true));
  while (!s.out().includes('Cloison listening on')) {
    if (ended || Date.now() > deadline) throw new Error(`service did not start:\n${s.out()}\n${s.err()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(s: Started): Promise<number | null> {
  if (s.child.exitCode === null) s.child.kill('SIGTERM');
  return s.exited;
}

/** Inodes of the sockets a process holds open. */
function socketInodes(pid: number): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.add(m[1] as string);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/** TCP ports the process listens on (state 0A), IPv4 and IPv6. */
function listeningTcpPorts(pid: number): number[] {
  const mine = socketInodes(pid);
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && mine.has(f[9] as string)) ports.push(Number.parseInt((f[1] as string).split(':')[1] as string, 16));
    }
  }
  return ports.sort();
}

/** Unix socket paths the process listens on (flag __SO_ACCEPTCON). */
function unixSocketPaths(pid: number): string[] {
  const mine = socketInodes(pid);
  return readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && mine.has(f[6] as string) && f[3] === '00010000')
    .map((f) => f[7] as string);
}

/** Every folder and file under `dir` that its group or others may access. */
function openToOthers(dir: string): string[] {
  const found: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if ((st.mode & 0o077) !== 0) found.push(`${p} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(dir);
  return found;
}

function loosen(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) loosen(p);
    chmodSync(p, e.isDirectory() ? 0o777 : 0o666);
  }
  chmodSync(dir, 0o777);
}

/** Tries to connect to a Unix socket as the user `nobody`; resolves with the error code or 'connected'. */
async function connectAsNobody(path: string): Promise<string> {
  const script = `require('net').connect(${JSON.stringify(path)}).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', script], { uid: 65534, gid: 65534, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => void (out += d));
  await new Promise((r) => child.once('exit', r));
  return out.trim();
}

async function health(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/health`)).status;
}

describe('the embedded database under real processes', () => {
  const running: Started[] = [];
  afterAll(async () => {
    await Promise.all(running.map(stop));
  });

  it('one process per data folder, no TCP socket, no access for other users, owner-only files', async () => {
    const dataDir = tempDir('cloison-proc-');
    const port = await freePort();
    const first = start({ CLOISON_DATA_DIR: dataDir, PORT: String(port) });
    running.push(first);
    await listening(first);
    const pid = first.child.pid as number;

    // Only the HTTP port listens on TCP; the database is a Unix socket in a private folder.
    expect(listeningTcpPorts(pid)).toEqual([port]);
    const sockets = unixSocketPaths(pid).filter((p) => p.endsWith('/.s.PGSQL.5432'));
    expect(sockets).toHaveLength(1);
    const socketDir = (sockets[0] as string).slice(0, -'/.s.PGSQL.5432'.length);
    expect(statSync(socketDir).mode & 0o777).toBe(0o700);
    expect(openToOthers(dataDir)).toEqual([]);
    // The generated signing key lives beside the database's files, never among them.
    expect(existsSync(join(dataDir, 'audit-signing-key.pem'))).toBe(false);
    expect(statSync(join(`${dataDir}-secrets`, 'audit-signing-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(`${dataDir}-secrets`).mode & 0o777).toBe(0o700);
    if (process.getuid?.() === 0) {
      expect(await connectAsNobody(sockets[0] as string)).toBe('EACCES');
    }

    // A second start on the same folder (another port) stops before opening anything.
    const second = start({ CLOISON_DATA_DIR: dataDir, PORT: String(await freePort()) });
    running.push(second);
    expect(await second.exited).toBe(1);
    const refusal = second.err().trim();
    expect(refusal.split('\n')).toHaveLength(1);
    expect(refusal).toContain(`Cloison failed to start: data folder ${dataDir} is in use by another Cloison process (pid ${pid})`);
    expect(second.out()).not.toContain('listening');

    // So does `cloison migrate` on that folder.
    let migrateErr = '';
    const code = await runCli(['migrate'], {
      out: () => undefined,
      err: (s) => void (migrateErr += s),
      env: { CLOISON_DATA_DIR: dataDir },
      interactive: false,
    });
    expect(code).toBe(5);
    expect(migrateErr).toContain(`data folder ${dataDir} is in use by another Cloison process (pid ${pid})`);

    // A start on a used port: one line, nothing opened (its data folder is never even created).
    const unusedDir = join(tempDir('cloison-proc-'), 'data');
    const third = start({ CLOISON_DATA_DIR: unusedDir, PORT: String(port) });
    running.push(third);
    expect(await third.exited).toBe(1);
    expect(third.err().trim()).toMatch(new RegExp(`^Cloison failed to start: port ${port} on 127\\.0\\.0\\.1 is already in use[^\\n]*$`));
    expect(existsSync(unusedDir)).toBe(false);

    // The first one kept serving all along, and lets go of the folder and socket when it stops.
    expect(await health(port)).toBe(200);
    expect(await stop(first)).toBe(0);
    expect(existsSync(join(dataDir, 'cloison.lock'))).toBe(false);
    expect(existsSync(socketDir)).toBe(false);

    // A folder left open to everyone by an older version, with the lock of a dead process.
    loosen(dataDir);
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.once('exit', r));
    writeFileSync(join(dataDir, 'cloison.lock'), `${dead.pid}\n`);
    const again = start({ CLOISON_DATA_DIR: dataDir, PORT: String(port) });
    running.push(again);
    await listening(again);
    expect(readFileSync(join(dataDir, 'cloison.lock'), 'utf8').split('\n')[0]).toBe(String(again.child.pid));
    expect(openToOthers(dataDir)).toEqual([]);
    expect(await health(port)).toBe(200);
    expect(await stop(again)).toBe(0);
  }, 300_000);

  it('of several starters that find the same stale lock, exactly one takes it over', async () => {
    const dataDir = tempDir('cloison-lock-');
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.once('exit', r));
    writeFileSync(join(dataDir, 'cloison.lock'), `${dead.pid}\n`);
    const lockModule = new URL('../../libs/persistence/src/data-dir.lock.ts', import.meta.url).href;
    // Each holds the lock it may have won long enough for every other to see it held.
    // All try at the same instant, once each has loaded.
    const startAt = Date.now() + 5000;
    const script = `import { lockDataDir } from ${JSON.stringify(lockModule)};
      while (Date.now() < ${startAt});
      try { lockDataDir(${JSON.stringify(dataDir)}); console.log('won'); setTimeout(() => undefined, 3000); }
      catch (e) { console.log(e.name === 'DataDirBusyError' ? 'busy' : 'error ' + e.message); }`;
    const runs = Array.from({ length: 6 }, () => {
      const base = { ...process.env };
      delete base.NODE_OPTIONS;
      const child = spawn(process.execPath, ['--import', './test/support/ts-register.mjs', '--input-type=module', '-e', script], {
        env: base,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout?.on('data', (d) => void (out += d));
      return new Promise<string>((resolve) => child.once('exit', () => resolve(out.trim())));
    });
    const results = await Promise.all(runs);
    expect(results.filter((r) => r === 'won')).toHaveLength(1);
    expect(results.filter((r) => r === 'busy')).toHaveLength(5);
    // The winner's exit released it.
    expect(existsSync(join(dataDir, 'cloison.lock'))).toBe(false);
  }, 120_000);

  it('a lock whose pid now belongs to another process (pid reuse, container restart) is stale; a held one is not', () => {
    const dataDir = tempDir('cloison-lock-');
    const held = lockDataDir(dataDir);
    try {
      // Opening the same folder twice in one process is refused too.
      expect(() => lockDataDir(dataDir)).toThrow(DataDirBusyError);
    } finally {
      held.release();
    }
    expect(existsSync(join(dataDir, 'cloison.lock'))).toBe(false);
    // Same pid as ours, but a process that started at another time: not us, and gone.
    writeFileSync(join(dataDir, 'cloison.lock'), `${process.pid}\n1\n`);
    const taken = lockDataDir(dataDir);
    expect(readFileSync(join(dataDir, 'cloison.lock'), 'utf8').split('\n')[0]).toBe(String(process.pid));
    expect(readFileSync(join(dataDir, 'cloison.lock'), 'utf8').split('\n')[1]).not.toBe('1');
    taken.release();
  });
});
