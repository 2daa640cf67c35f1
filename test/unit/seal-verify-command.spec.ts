import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '#cli/cli';
import { sealVerifyCommand } from '#cli/commands/seal-verify.command';
import { fingerprintOf, type SealDocument, type SealedState } from '#audit-format';
import { SealSigner } from '#seals/seal-signer';
import { tempDir } from '../support/temp-dir.js';

async function run(doc: unknown, ...args: string[]): Promise<{ code: number; out: Record<string, unknown>; err: string }> {
  const file = join(tempDir('cloison-seal-'), 'seal.json');
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  let out = '';
  let err = '';
  const code = await sealVerifyCommand([file, ...args], { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out: out ? (JSON.parse(out) as Record<string, unknown>) : {}, err };
}

describe('cloison seal verify', () => {
  const signer = new SealSigner(generateKeyPairSync('ed25519').privateKey);
  const state: SealedState = {
    tenant: { id: '00000000-0000-4000-8000-000000000001', slug: 'congress' },
    configuration: { ballot_secrecy: 'secret', admin_can_view_credentials: false },
    registry: { ballot_secrecy: 1, admin_can_view_credentials: 1 },
  };
  const doc: SealDocument = signer.sign({
    type: 'cloison.seal/v1',
    sealId: '00000000-0000-4000-8000-0000000000aa',
    label: 'round 1',
    activatedAt: '2026-11-26T10:00:00.000Z',
    approvals: [{ principal: 'p1', name: 'office', role: 'client_admin', at: '2026-11-26T09:59:00.000Z' }],
    state,
    fingerprint: fingerprintOf(state),
  });

  it('accepts a signed document, bare or as the API returns it, with the trusted key id', async () => {
    expect(await run(doc)).toMatchObject({ code: 0, out: { valid: true, signatureValid: true, fingerprintValid: true, trusted: null } });
    expect(await run({ document: doc }, '--key-id', signer.keyId)).toMatchObject({ code: 0, out: { valid: true, trusted: true } });
  });

  it('refuses a changed configuration, an untrusted key, and an unreadable document', async () => {
    const tampered = { ...doc, state: { ...state, configuration: { ...state.configuration, admin_can_view_credentials: true } } };
    expect(await run(tampered)).toMatchObject({ code: 1, out: { valid: false, fingerprintValid: false } });
    expect(await run(doc, '--key-id', '0'.repeat(64))).toMatchObject({
      code: 1,
      out: { valid: false, signatureValid: true, trusted: false },
    });
    expect(await run('not json')).toMatchObject({ code: 2, out: {} });
    expect(await run({ hello: 'world' })).toMatchObject({ code: 2, out: {} });
  });

  it('is what `cloison seal verify` runs', async () => {
    const dir = tempDir('cloison-seal-');
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    writeFileSync(good, JSON.stringify(doc));
    writeFileSync(bad, JSON.stringify({ ...doc, label: 'another election' }));
    let out = '';
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
    try {
      const io = { out: () => undefined, err: () => undefined, env: {}, interactive: false };
      expect(await runCli(['seal', 'verify', good, '--key-id', signer.keyId], io)).toBe(0);
      expect(await runCli(['seal', 'verify', bad], io)).toBe(1);
    } finally {
      process.stdout.write = write;
    }
    expect(out).toContain('"signatureValid": false');
  });
});
