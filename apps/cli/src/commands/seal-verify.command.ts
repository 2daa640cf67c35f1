import { readFileSync } from 'node:fs';
import { verifySealDocument, type SealDocument } from '#audit-format';
import { UsageError, parseFileArgs, stdio, type CommandIo } from './offline-args.js';

export const SEAL_VERIFY_USAGE = `usage: cloison seal verify <seal.json> [--key-id <sha256 hex of the service key>]

Checks a seal document (GET /v1/tenants/<tenant>/seals/<id>, or the bare document) without the
service or its database: the Ed25519 signature against the embedded key, the fingerprint against
the embedded state, and, with --key-id, that the key is the one you trust.
Exit status: 0 valid, 1 invalid, 2 usage error or unreadable document.
`;

function parseArgs(argv: string[]): { file: string; keyId?: string } {
  const { file, value: keyId } = parseFileArgs(argv, 'key-id', 'the seal file is missing');
  return { file, keyId };
}

function readDocument(file: string): SealDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  // The seal as the API returns it (document inside) or the bare document.
  const doc = ((raw as { document?: unknown })?.document ?? raw) as Partial<SealDocument> | null;
  if (
    !doc ||
    typeof doc !== 'object' ||
    typeof doc.publicKey !== 'string' ||
    typeof doc.signature !== 'string' ||
    typeof doc.state !== 'object'
  ) {
    throw new UsageError(`${file} is not a seal document`);
  }
  return doc as SealDocument;
}

/** `cloison seal verify <file> [--key-id <hex>]`: 0 valid, 1 invalid, 2 usage error. */
export async function sealVerifyCommand(argv: string[], io: CommandIo = stdio): Promise<number> {
  let doc: SealDocument;
  let keyId: string | undefined;
  try {
    const args = parseArgs(argv);
    keyId = args.keyId;
    doc = readDocument(args.file);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) io.err(`cloison seal verify: ${err.message}\n`);
    io.err(SEAL_VERIFY_USAGE);
    return 2;
  }
  const check = verifySealDocument(doc);
  const trusted = keyId === undefined ? null : keyId === doc.keyId;
  const valid = check.valid && trusted !== false;
  const report = { sealId: doc.sealId, label: doc.label, fingerprint: doc.fingerprint, keyId: doc.keyId, ...check, trusted, valid };
  io.out(`${JSON.stringify(report, null, 2)}\n`);
  return valid ? 0 : 1;
}
