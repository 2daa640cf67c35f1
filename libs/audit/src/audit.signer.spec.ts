import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { generateSigningKey, publicKeyFingerprint } from '#audit-format';
import { SIGNING_KEY_FILE, loadSigningKey } from './audit.signer.js';

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
    expect(moved.origin).toBe('moved');
    expect(fingerprint(moved.key)).toBe(fingerprint(left));
    expect(existsSync(join(f.dataDir, SIGNING_KEY_FILE))).toBe(false);
    expect(readFileSync(join(f.dir, SIGNING_KEY_FILE), 'utf8')).toBe(pem);
    expect(loadSigningKey(f).origin).toBe('file');
  });

  it('refuses to choose between a key in its folder and another left in the data folder', () => {
    const f = folders();
    loadSigningKey(f);
    mkdirSync(f.dataDir, { recursive: true });
    writeFileSync(join(f.dataDir, SIGNING_KEY_FILE), generateSigningKey().export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(() => loadSigningKey(f)).toThrow(/two audit signing keys/);
  });

  it('keeps a key for the process only without a folder, and takes a configured one as it is', () => {
    expect(loadSigningKey({}).origin).toBe('ephemeral');
    const key = generateSigningKey();
    const configured = loadSigningKey({ configured: key.export({ type: 'pkcs8', format: 'pem' }).toString(), ...folders() });
    expect(configured.origin).toBe('configured');
    expect(fingerprint(configured.key)).toBe(fingerprint(key));
  });
});
