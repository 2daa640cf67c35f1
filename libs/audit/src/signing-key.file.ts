import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { derivePublicKey, generateSigningKey, parsePrivateKey, publicKeyFingerprint } from '#audit-format';

export const SIGNING_KEY_FILE = 'audit-signing-key.pem';

export interface SigningKeySource {
  /** PKCS#8 Ed25519 private key, PEM or base64 DER (CLOISON_AUDIT_SIGNING_KEY). */
  configured?: string;
  /** Where a generated key is kept when none is configured (CLOISON_SECRETS_DIR); undefined = a key for this process only. */
  dir?: string;
  /** The data folder, where earlier releases kept the generated key: one found there is moved out to `dir`. */
  dataDir?: string;
}

export type SigningKeyOrigin = 'configured' | 'file' | 'generated' | 'ephemeral';

/** What became of a key an earlier release left in the data folder. */
export type LeftKey =
  | { kind: 'moved'; to: string } // it is the key in use, now in `dir`
  | { kind: 'duplicate' } // the same key as the one in use: deleted
  | { kind: 'set-aside'; to: string }; // another key: kept in `dir` under another name, not used

/**
 * Loads the checkpoint signing key: configured, else the one kept in `dir` (generated on first
 * start, file 0600 in a folder 0700), else an ephemeral key (tests, in-memory runs). A key an
 * earlier release left in the data folder is first moved out of it, never lost (`left`).
 */
export function loadSigningKey(source: SigningKeySource): { key: KeyObject; origin: SigningKeyOrigin; left?: LeftKey } {
  const file = source.dir ? join(source.dir, SIGNING_KEY_FILE) : undefined;
  const left =
    source.dir && source.dataDir ? moveLeftKey(source.configured, join(source.dataDir, SIGNING_KEY_FILE), source.dir) : undefined;
  const withLeft = <T extends object>(r: T) => (left ? { ...r, left } : r);
  if (source.configured) return withLeft({ key: parsePrivateKey(source.configured), origin: 'configured' as const });
  if (!file) return { key: generateSigningKey(), origin: 'ephemeral' };
  if (existsSync(file)) return withLeft({ key: readKey(file), origin: 'file' as const });
  const key = generateSigningKey();
  // 'wx': never overwrite a key another process wrote meanwhile.
  if (!writeDurably(file, key.export({ type: 'pkcs8', format: 'pem' }))) return { key: readKey(file), origin: 'file' };
  return { key, origin: 'generated' };
}

function moveLeftKey(configured: string | undefined, left: string, dir: string): LeftKey | undefined {
  if (!existsSync(left)) return undefined;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, SIGNING_KEY_FILE);
  const bytes = readFileSync(left);
  let outcome: LeftKey;
  // writeDurably refuses an existing file: then the key in use is there, and the left one is compared with it.
  if (!configured && writeDurably(file, bytes)) {
    outcome = { kind: 'moved', to: file };
  } else if (fingerprintOf(bytes.toString('utf8'), left) === fingerprintOf(configured ?? readFileSync(file, 'utf8'), file)) {
    outcome = { kind: 'duplicate' };
  } else {
    const aside = join(dir, `audit-signing-key.left-${new Date().toISOString().replace(/[:.]/g, '-')}.pem`);
    writeDurably(aside, bytes);
    outcome = { kind: 'set-aside', to: aside };
  }
  // Only once the copy is on disk: a crash before this leaves two identical copies, found 'duplicate' next time.
  rmSync(left);
  return outcome;
}

/** The start's warning about a key found in the data folder: copies of that folder made before hold it. */
export function leftKeyWarning(left: LeftKey): string {
  const what =
    left.kind === 'moved'
      ? `moved out of the data folder into ${left.to}`
      : left.kind === 'duplicate'
        ? 'a copy of the key in use, deleted from the data folder'
        : `another key, moved out of the data folder to ${left.to} and not used`;
  return `audit signing key ${what}: copies and backups of the data folder made until now hold it, and whoever has one can sign with it (docs/audit.md, "The signing key")`;
}

/** Writes `bytes` to a new file `path` (0600) that survives a crash once this returns; false if it exists already. */
function writeDurably(path: string, bytes: Buffer | string): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // A hard link fails if `path` exists, where a rename would replace it: another process's key stays.
  try {
    linkSync(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(temp);
  }
  const folder = openSync(dirname(path), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
  return true;
}

/** The key in `text`; an error names `where` it came from. */
function keyFrom(text: string, where: string): KeyObject {
  try {
    return parsePrivateKey(text);
  } catch (err) {
    throw new Error(`audit signing key ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const readKey = (file: string): KeyObject => keyFrom(readFileSync(file, 'utf8'), file);
const fingerprintOf = (text: string, where: string): string => publicKeyFingerprint(derivePublicKey(keyFrom(text, where)));
