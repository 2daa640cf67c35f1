import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SealSigner, fingerprintOf, type SealDocument, type SealedState } from '#seals';
import { tempDir } from '../support/test-app.js';

const CLI = resolve('bin/verify-seal.js');

function run(doc: unknown, ...args: string[]): { code: number; out: Record<string, unknown> } {
  const file = join(tempDir('cloison-seal-'), 'seal.json');
  writeFileSync(file, JSON.stringify(doc));
  try {
    return { code: 0, out: JSON.parse(execFileSync(process.execPath, [CLI, file, ...args], { encoding: 'utf8' })) };
  } catch (err) {
    const e = err as { status: number; stdout: string };
    return { code: e.status, out: JSON.parse(e.stdout) };
  }
}

describe('offline seal verification (bin/verify-seal.js)', () => {
  const signer = new SealSigner(generateKeyPairSync('ed25519').privateKey);
  const state: SealedState = {
    tenant: { id: '00000000-0000-4000-8000-000000000001', slug: 'congress' },
    configuration: { ballot_secrecy: 'secret', admin_can_view_credentials: false, vote_weights: true },
    registry: { ballot_secrecy: 1, admin_can_view_credentials: 1, vote_weights: 1 },
  };
  const doc: SealDocument = signer.sign({
    type: 'cloison.seal/v1',
    sealId: '00000000-0000-4000-8000-0000000000aa',
    label: 'Congress 2023 — round 1',
    activatedAt: '2026-11-26T10:00:00.000Z',
    approvals: [{ principal: 'p1', name: 'office', role: 'client_admin', at: '2026-11-26T09:59:00.000Z' }],
    state,
    fingerprint: fingerprintOf(state),
  });

  it('accepts a document signed by the service, also with the trusted key id', () => {
    expect(run(doc)).toEqual({ code: 0, out: expect.objectContaining({ valid: true, signatureValid: true, fingerprintValid: true }) });
    expect(run({ document: doc }, '--key-id', signer.keyId).out).toMatchObject({ valid: true, trusted: true });
  });

  it('refuses a document whose configuration, fingerprint or key was changed', () => {
    const tampered = { ...doc, state: { ...state, configuration: { ...state.configuration, admin_can_view_credentials: true } } };
    expect(run(tampered)).toEqual({ code: 1, out: expect.objectContaining({ valid: false, fingerprintValid: false }) });
    const refingerprinted = { ...tampered, fingerprint: fingerprintOf(tampered.state) };
    expect(run(refingerprinted)).toEqual({
      code: 1,
      out: expect.objectContaining({ valid: false, signatureValid: false, fingerprintValid: true }),
    });
    const { signature: _s, publicKey: _p, keyId: _k, ...content } = refingerprinted;
    const other = new SealSigner(generateKeyPairSync('ed25519').privateKey).sign(content);
    expect(run(other, '--key-id', signer.keyId)).toEqual({
      code: 1,
      out: expect.objectContaining({ signatureValid: true, trusted: false, valid: false }),
    });
  });
});
