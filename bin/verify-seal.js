#!/usr/bin/env node
// Verifies a Cloison seal document offline: `verify-seal <seal.json> [--key-id <hex>]`.
// Needs nothing but the document (and node): the signature against the embedded Ed25519 key,
// the fingerprint against the embedded state, and, when given, the key id you trust.
// Exit code 0 = valid, 1 = invalid, 2 = usage or unreadable document.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';

function check(doc, trustedKeyId) {
  const { signature, ...unsigned } = doc;
  let signatureValid = false;
  try {
    const key = createPublicKey({ key: Buffer.from(doc.publicKey, 'base64'), format: 'der', type: 'spki' });
    signatureValid = verify(null, Buffer.from(canonicalize(unsigned)), key, Buffer.from(signature, 'base64'));
  } catch {
    signatureValid = false;
  }
  const fingerprintValid = createHash('sha256').update(canonicalize(doc.state)).digest('hex') === doc.fingerprint;
  const keyIdValid =
    createHash('sha256')
      .update(Buffer.from(doc.publicKey ?? '', 'base64'))
      .digest('hex') === doc.keyId;
  const trusted = trustedKeyId === undefined ? null : trustedKeyId === doc.keyId;
  return {
    signatureValid,
    fingerprintValid,
    keyIdValid,
    trusted,
    valid: signatureValid && fingerprintValid && keyIdValid && trusted !== false,
  };
}

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--key-id');
const keyAt = args.indexOf('--key-id');
if (!file) {
  process.stderr.write('usage: verify-seal <seal.json> [--key-id <sha256 hex of the service key>]\n');
  process.exit(2);
}
let doc;
try {
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  // Accept the seal as returned by the API (document inside) or the bare document.
  doc = raw.document ?? raw;
} catch (err) {
  process.stderr.write(`cannot read ${file}: ${err.message}\n`);
  process.exit(2);
}
const result = check(doc, keyAt >= 0 ? args[keyAt + 1] : undefined);
process.stdout.write(
  `${JSON.stringify({ sealId: doc.sealId, label: doc.label, fingerprint: doc.fingerprint, keyId: doc.keyId, ...result }, null, 2)}\n`,
);
process.exit(result.valid ? 0 : 1);
