import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { generateSigningKey, publicKeyFingerprint } from '#audit-format';
import { SIGNING_KEY_FILE, loadSigningKey } from './signing-key.file.js';

const folders = () => {
  const root = mkdtempSync(join(tmpdir(), 'cloison-signer-'));
  return { dataDir: join(root, 'data'), dir: join(root, 'data-secrets') };
};
const fingerprint = (key: ReturnType<typeof generateSigningKey>) => publicKeyFingerprint(createPublicKey(key));

describe('loadSigningKey', () => {
  it('generates the key into its own folder (0700, file 0600), never the data folder, and reuses it', () => {
    const f = folders();
    const first = loadSigningKey(f);
    expect(first.origin).toBe('generated');
    expect(statSync(join(f.dir, SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(f.dir).mode & 0o777).toBe(0o700);
    expect(existsSync(join(f.dataDir, SIGNING_KEY_FILE))).toBe(false);
    const again = loadSigningKey(f);
    expect(again.origin).toBe('file');
    expect(fingerprint(again.key)).toBe(fingerprint(first.key));
  });

  it('moves a key an earlier release left in the data folder out of it, the same key', () => {
    const f = folders();
    const left = generateSigningKey();
    const pem = left.export({ type: 'pkcs8', format: 'pem' }).toString();
    mkdirSync(f.dataDir, { recursive: true });
    writeFileSync(join(f.dataDir, SIGNING_KEY_FILE), pem, { mode: 0o600 });
    const moved = loadSigningKey(f);
    expect(moved).toMatchObject({ origin: 'file', left: { kind: 'moved', to: join(f.dir, SIGNING_KEY_FILE) } });
    expect(fingerprint(moved.key)).toBe(fingerprint(left));
    expect(existsSync(join(f.dataDir, SIGNING_KEY_FILE))).toBe(false);
    expect(readFileSync(join(f.dir, SIGNING_KEY_FILE), 'utf8')).toBe(pem);
    expect(loadSigningKey(f)).toEqual({ key: expect.anything(), origin: 'file' });
  });

  it('never leaves a key in the data folder: a copy of the key in use is deleted, another one set aside', () => {
    const f = folders();
    const inUse = loadSigningKey(f).key;
    const leave = (text: string) => {
      mkdirSync(f.dataDir, { recursive: true });
      writeFileSync(join(f.dataDir, SIGNING_KEY_FILE), text, { mode: 0o600 });
    };
    // What a crash between the copy and the delete leaves, or a backup of the data folder restored.
    leave(readFileSync(join(f.dir, SIGNING_KEY_FILE), 'utf8'));
    const again = loadSigningKey(f);
    expect(again.left).toEqual({ kind: 'duplicate' });
    expect(fingerprint(again.key)).toBe(fingerprint(inUse));
    expect(existsSync(join(f.dataDir, SIGNING_KEY_FILE))).toBe(false);

    const other = generateSigningKey().export({ type: 'pkcs8', format: 'pem' }).toString();
    leave(other);
    const aside = loadSigningKey(f);
    expect(aside.left?.kind).toBe('set-aside');
    expect(fingerprint(aside.key)).toBe(fingerprint(inUse));
    expect(readFileSync((aside.left as { to: string }).to, 'utf8')).toBe(other);
    expect(statSync((aside.left as { to: string }).to).mode & 0o777).toBe(0o600);
    expect(existsSync(join(f.dataDir, SIGNING_KEY_FILE))).toBe(false);
  });

  it('moves a key left in the data folder out of it also when the key in use is configured', () => {
    const f = folders();
    const configured = generateSigningKey().export({ type: 'pkcs8', format: 'pem' }).toString();
    mkdirSync(f.dataDir, { recursive: true });
    writeFileSync(join(f.dataDir, SIGNING_KEY_FILE), configured);
    const loaded = loadSigningKey({ configured, ...f });
    expect(loaded).toMatchObject({ origin: 'configured', left: { kind: 'duplicate' } });
    expect(existsSync(join(f.dataDir, SIGNING_KEY_FILE))).toBe(false);
  });

  it('names the file of a key it cannot read', () => {
    const f = folders();
    mkdirSync(f.dir, { recursive: true });
    writeFileSync(join(f.dir, SIGNING_KEY_FILE), '');
    expect(() => loadSigningKey(f)).toThrow(join(f.dir, SIGNING_KEY_FILE));
  });

  it('keeps a key for the process only without a folder, and takes a configured one as it is', () => {
    expect(loadSigningKey({}).origin).toBe('ephemeral');
    const key = generateSigningKey();
    const configured = loadSigningKey({ configured: key.export({ type: 'pkcs8', format: 'pem' }).toString(), ...folders() });
    expect(configured.left).toBeUndefined();
    expect(configured.origin).toBe('configured');
    expect(fingerprint(configured.key)).toBe(fingerprint(key));
  });
});
