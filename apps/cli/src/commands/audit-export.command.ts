import { createWriteStream, openSync } from 'node:fs';
import { Writable } from 'node:stream';
import { apiTarget, CONNECTION_OPTIONS, openApiStream } from '../api.client.js';
import { CliError, EXIT, parse, progress, type CliIo } from '../cli.io.js';

export const AUDIT_EXPORT_HELP = `Usage:
  cloison audit export [--tenant <slug>] [--out <file>] [--csv]

Streams the audit export of the service (GET /v1/audit/export, or one tenant's with
--tenant) to --out or stdout: JSON Lines with every event's hashes and the signed
checkpoints, ready for \`cloison audit verify <file> --public-key <key>\` (key from
GET /v1/audit/public-key, obtained beforehand). --csv writes a spreadsheet view instead.
Progress (lines received) goes to stderr. An existing --out file is never overwritten.

Connection: --url / CLOISON_URL, --token / CLOISON_TOKEN (operator, compliance, or a
client_admin for its own tenant).
`;

export async function auditExportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, {
    ...CONNECTION_OPTIONS,
    tenant: { type: 'string' },
    out: { type: 'string', short: 'o' },
    csv: { type: 'boolean' },
  });
  if (values.help) return (io.out(AUDIT_EXPORT_HELP), EXIT.ok);
  const target = apiTarget(values, io);
  const base = values.tenant ? `/v1/tenants/${encodeURIComponent(values.tenant)}/audit/export` : '/v1/audit/export';
  // Opened before anything is fetched, so that an existing file stops the command at once.
  let fd: number | undefined;
  if (values.out) {
    try {
      fd = openSync(values.out, 'wx');
    } catch (err) {
      throw new CliError(EXIT.failed, `cannot write ${values.out}: ${(err as Error).message}`);
    }
  }
  const body = await openApiStream(target, `${base}?format=${values.csv ? 'csv' : 'jsonl'}`);
  const sink: Writable =
    fd !== undefined ? createWriteStream('', { fd }) : new Writable({ write: (chunk, _enc, done) => (io.out(String(chunk)), done()) });
  const shown = progress(io, 'audit export');
  let lines = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const byte of value) if (byte === 10) lines++;
      if (!sink.write(value)) await new Promise<void>((r) => sink.once('drain', () => r()));
      shown.update(lines);
    }
  } finally {
    await new Promise<void>((resolve, reject) => {
      sink.once('error', reject);
      sink.end(() => resolve());
    });
  }
  shown.end(`${lines} line(s)${values.out ? ` written to ${values.out}` : ''}`);
  return EXIT.ok;
}
