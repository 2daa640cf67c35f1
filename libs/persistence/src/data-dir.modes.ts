import { chmodSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Owner-only bits for everything the embedded database keeps on disk. */
export const PRIVATE_UMASK = 0o077;

/**
 * Makes `dir` and everything under it owner-only (folders 0700, files 0600). PGlite's initdb
 * writes its files 0666 whatever the umask, and folders from older versions may be open too.
 * Symbolic links are left alone: their target is not ours to change.
 */
export function restrictTree(dir: string): void {
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) restrictTree(path);
    else if (entry.isFile() && (lstatSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  }
}
