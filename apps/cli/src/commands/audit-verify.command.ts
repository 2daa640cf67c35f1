import { createReadStream, existsSync, readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { verifyExportBytes } from '#audit-format';
import { parsePublicKey, publicKeyFingerprint } from '#audit-format';
import { UsageError, parseFileArgs, stdio, type CommandIo } from './offline-args.js';

export type { CommandIo } from './offline-args.js';

export const AUDIT_VERIFY_USAGE = `usage: cloison audit verify <export.jsonl | -> --public-key <file | base64>

Checks a JSON Lines audit export (GET /v1/audit/export or /v1/tenants/<tenant>/audit/export)
without the service or its database: every event's hashes, dense sequence numbers, and the
signed checkpoints, against a public key obtained from the service beforehand; and every
approval's signature against the key its approver enrolled earlier in the same chain (an
approval the tenant required signed that is not fails). Each approval is listed with its signer.
The stored option values of the export's state lines are compared with what each tenant's chain
implies (an export without them says so: its values are not checked).
--public-key takes a file (PEM, base64 DER, or the JSON of GET /v1/audit/public-key) or the
base64 DER itself. Exit status: 0 verified, 1 broken, 2 usage error.
`;

function parseArgs(argv: string[]): { file: string; key: string } {
  const { file, value: key } = parseFileArgs(argv, 'public-key', 'the export file is missing');
  if (!key) throw new UsageError('--public-key is required: verifying with a key taken from the export itself would prove nothing');
  return { file, key };
}

function readPublicKey(arg: string): KeyObject {
  let text = arg;
  if (existsSync(arg)) {
    text = readFileSync(arg, 'utf8').trim();
    if (text.startsWith('{')) {
      const doc = JSON.parse(text) as { publicKey?: string; publicKeyBase64?: string };
      text = doc.publicKey ?? doc.publicKeyBase64 ?? '';
    }
  }
  try {
    return parsePublicKey(text);
  } catch (err) {
    throw new UsageError(`cannot read the public key: ${(err as Error).message}`);
  }
}

/** `cloison audit verify <file> --public-key <key>`: 0 verified, 1 broken, 2 usage error. */
export async function auditVerifyCommand(argv: string[], io: CommandIo = stdio): Promise<number> {
  let args: { file: string; key: string };
  let key: KeyObject;
  try {
    args = parseArgs(argv);
    key = readPublicKey(args.key);
    if (args.file !== '-' && !existsSync(args.file)) throw new UsageError(`no such file: ${args.file}`);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) io.err(`cloison audit verify: ${err.message}\n`);
    io.err(AUDIT_VERIFY_USAGE);
    return 2;
  }
  const input = args.file === '-' ? process.stdin : createReadStream(args.file, { highWaterMark: 1 << 20 });
  const result = await verifyExportBytes(input, key);
  if (input !== process.stdin) input.destroy();
  // Who consented: each approval, with the key that signed it (checked against its enrolment in the chain).
  for (const a of result.approvals) {
    const by = `${a.approver.name} (${a.approver.role}, ${a.approver.id})`;
    const how =
      a.status === 'signed'
        ? `signed by ${by} with ${a.kind} key ${a.key}${a.label ? ` "${a.label}"` : ''}`
        : a.status === 'unchecked'
          ? `signed by ${by} with key ${a.key}, enrolled in the global chain (not in this export): not checked`
          : `approved by ${by}, unsigned`;
    io.out(`approval ${a.action} ${a.subject} (line ${a.line}, sequence number ${a.seq}): ${how}\n`);
  }
  if (result.ok) {
    const signed = result.approvals.filter((a) => a.status === 'signed').length;
    const consent = result.approvals.length ? `; ${signed} of ${result.approvals.length} approvals carry a verified signature` : '';
    io.out(`OK: ${result.checked} events verified, all covered by checkpoints signed with ${publicKeyFingerprint(key)}${consent}\n`);
    io.out(
      result.valuesChecked
        ? `stored option values: those of ${result.valuesChecked} tenant(s) match what their chains imply\n`
        : 'stored option values: not checked (the export has no state line; exports made before this check carry none)\n',
    );
    return 0;
  }
  const where = result.line === undefined ? '' : ` at line ${result.line}`;
  io.out(`BROKEN${where}, sequence number ${result.firstBrokenSeq}: ${result.reason}\n`);
  io.out(`(${result.checked} events examined before the failure was found)\n`);
  return 1;
}
