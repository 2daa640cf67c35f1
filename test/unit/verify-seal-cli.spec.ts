import swc from '@swc/core';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fingerprintOf, type SealDocument, type SealedState } from '#audit-format';
import { SealSigner } from '#seals/seal-signer';
import { tempDir } from '../support/temp-dir.js';

/**
 * bin/verify-seal.js runs the compiled `cloison seal verify` (dist/). Tests never touch the real dist/:
 * the command and the library it checks with are compiled into a scratch copy of the package, as
 * `npm run build` lays them out, and the script is run from there by a separate Node process.
 */
const BUILT = [
  'apps/cli/src/commands/seal-verify.command.ts',
  'apps/cli/src/commands/offline-args.ts',
  ...readdirSync('libs/audit-format/src')
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .map((f) => `libs/audit-format/src/${f}`),
];

function scratchPackage(withBuild: boolean): string {
  const root = tempDir('cloison-verify-seal-');
  mkdirSync(join(root, 'bin'));
  copyFileSync('bin/verify-seal.js', join(root, 'bin/verify-seal.js'));
  copyFileSync('package.json', join(root, 'package.json'));
  symlinkSync(resolve('node_modules'), join(root, 'node_modules'));
  if (withBuild) {
    for (const file of BUILT) {
      const { code } = swc.transformFileSync(file, {
        jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2022' },
        module: { type: 'es6' },
      });
      const out = join(root, 'dist', file.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, code);
    }
  }
  return root;
}

let CLI = '';
let scratch: string[] = [];
beforeAll(() => {
  scratch = [scratchPackage(true)];
  CLI = join(scratch[0] as string, 'bin/verify-seal.js');
});
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

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

  it('asks for the build when dist/ is missing', () => {
    const bare = scratchPackage(false);
    scratch.push(bare);
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [join(bare, 'bin/verify-seal.js'), 'seal.json'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      ({ status, stderr } = err as { status: number; stderr: string });
    }
    expect({ status, stderr }).toEqual({ status: 2, stderr: expect.stringContaining('npm run build') });
  });
});
