import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'cloison.lock';
const TAKEOVER_FILE = 'cloison.lock.takeover';

/** Another live process holds the data folder: starting too would split its writes in two. */
export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number | undefined,
    message?: string,
  ) {
    super(
      message ??
        (pid === undefined
          ? `data folder ${dataDir} is being locked by another process right now; retry`
          : `data folder ${dataDir} is in use by another Cloison process (pid ${pid}); stop it first, or use another CLOISON_DATA_DIR`),
    );
    this.name = 'DataDirBusyError';
  }
}

export interface DataDirLock {
  release(): void;
}

/** When the process started (clock ticks since boot, Linux), to tell a pid's owner from a reuse of it. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

interface Owner {
  pid: number;
  started?: string;
}

/**
 * Whether the lock's owner still runs. A pid alone is not enough: after a container restart the
 * new process often gets the same small pid as the dead owner, which would lock it out forever.
 */
function alive(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = startTimeOf(owner.pid);
  return owner.started === undefined || started === undefined || started === owner.started;
}

function readOwner(file: string): Owner | undefined | 'missing' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  const [pidText, started] = text.split('\n');
  const pid = Number.parseInt(pidText ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? { pid, ...(started ? { started } : {}) } : undefined;
}

/** O_EXCL create: exactly one of several concurrent callers succeeds. */
function createExclusive(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${process.pid}\n${startTimeOf(process.pid) ?? ''}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * Removes the lock of a dead owner. Only the holder of the takeover file (created O_EXCL) may
 * remove a lock it does not own, and it re-reads the lock under it: two starters that both saw
 * the same stale lock cannot both remove it, and neither can remove a lock a live process just took.
 */
function removeStaleLock(dir: string, stale: Owner): void {
  const takeover = join(dir, TAKEOVER_FILE);
  if (!createExclusive(takeover)) {
    const holder = readOwner(takeover);
    if (holder === 'missing' || holder === undefined || alive(holder)) throw new DataDirBusyError(dir, undefined);
    // A starter died in the middle of a takeover: refuse rather than guess who else saw it.
    throw new DataDirBusyError(
      dir,
      holder.pid,
      `data folder ${dir}: a previous start (pid ${holder.pid}) died while taking over its lock; remove ${takeover} and start again`,
    );
  }
  try {
    const current = readOwner(join(dir, LOCK_FILE));
    if (typeof current === 'object' && current.pid === stale.pid && current.started === stale.started)
      unlinkIfPresent(join(dir, LOCK_FILE));
  } finally {
    unlinkSync(takeover);
  }
}

/**
 * Takes the data folder for this process, before anything opens the database in it: a lock file
 * holding the owner's pid and start time, created O_EXCL. A lock left by a dead process is taken over.
 */
export function lockDataDir(dir: string): DataDirLock {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createExclusive(file)) {
      let released = false;
      const onExit = () => release();
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', onExit);
        const current = readOwner(file);
        if (typeof current === 'object' && current.pid === process.pid) unlinkIfPresent(file);
      };
      // A process that exits without closing still leaves no lock behind.
      process.on('exit', onExit);
      return { release };
    }
    const owner = readOwner(file);
    if (owner === 'missing') continue;
    // An unreadable pid may be a starter between its create and its write: treat it as live.
    if (owner === undefined || alive(owner)) throw new DataDirBusyError(dir, owner?.pid);
    removeStaleLock(dir, owner);
  }
  throw new DataDirBusyError(dir, undefined);
}
