import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { lockDataDir, type DataDirLock } from './data-dir.lock.js';
import { PRIVATE_UMASK, restrictTree } from './data-dir.modes.js';

export interface EmbeddedPostgres {
  /** Connection URL of the superuser `postgres` on the in-process socket server. */
  url: string;
  /** Folder holding the server's Unix socket (`.s.PGSQL.5432`). */
  socketDir: string;
  close(): Promise<void>;
}

// PostgreSQL clients look for this name in the folder given as host.
const SOCKET_NAME = '.s.PGSQL.5432';
// sun_path holds 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH = 107;

// process.umask is process-wide: the first opener of a data folder narrows it, the last closer restores it.
let umaskHolders = 0;
let savedUmask = 0;

function narrowUmask(): () => void {
  if (umaskHolders++ === 0) savedUmask = process.umask(PRIVATE_UMASK);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--umaskHolders === 0) process.umask(savedUmask);
  };
}

/** A fresh owner-only folder for the socket: no other local user may even reach its name. */
function privateSocketDir(): string {
  const base = join(tmpdir(), 'cloison-pg-');
  const root = base.length + 6 + 1 + SOCKET_NAME.length > MAX_SOCKET_PATH ? '/tmp/cloison-pg-' : base;
  return mkdtempSync(root); // created 0700
}

/**
 * Serves an in-process PGlite database over the PostgreSQL wire protocol, so the app uses
 * the same driver, adapter and SQL as on a real server. `dataDir` undefined = in memory.
 *
 * The socket user is the superuser and every connection shares one session, so the server
 * listens only on a Unix socket in a folder only this process's user can enter, and the data
 * folder is locked to this process and owner-only before PGlite opens it.
 */
export async function startEmbeddedPostgres(dataDir: string | undefined): Promise<EmbeddedPostgres> {
  let lock: DataDirLock | undefined;
  let restoreUmask: (() => void) | undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    lock = lockDataDir(dataDir);
    // Files PGlite creates while open (new relations, WAL) are owner-only from the start.
    restoreUmask = narrowUmask();
  }
  const socketDir = privateSocketDir();
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  const release = () => {
    rmSync(socketDir, { recursive: true, force: true });
    restoreUmask?.();
    lock?.release();
  };
  try {
    if (dataDir) restrictTree(dataDir);
    db = await PGlite.create(dataDir);
    if (dataDir) restrictTree(dataDir);
    server = new PGLiteSocketServer({ db, path: join(socketDir, SOCKET_NAME), maxConnections: 64 });
    await server.start();
  } catch (err) {
    await server?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    release();
    throw err;
  }
  const [started, opened] = [server, db];
  return {
    url: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`,
    socketDir,
    async close() {
      try {
        await started.stop();
        await opened.close();
      } finally {
        release();
      }
    },
  };
}
