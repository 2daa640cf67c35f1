import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { apiTarget, callApi, CONNECTION_OPTIONS } from '../api.client.js';
import { CliError, EXIT, parse, progress, type CliIo } from '../cli.io.js';

export const AUDIT_EXPORT_HELP = `Usage:
  cloison audit export [--tenant <slug>] [--out <file>]

Writes the audit events the token may read as JSON Lines, oldest first (one event per
line, as the API returns them), to --out or stdout. --tenant limits it to one tenant.
Progress goes to stderr. Check the result offline with \`cloison audit verify <file>\`.

Connection: --url / CLOISON_URL, --token / CLOISON_TOKEN (operator, compliance, or a
client_admin for its own tenant).
`;

interface Page {
  items: { seq: number }[];
  nextCursor: string | null;
}

export async function auditExportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(argv, { ...CONNECTION_OPTIONS, tenant: { type: 'string' }, out: { type: 'string', short: 'o' } });
  if (values.help) return io.out(AUDIT_EXPORT_HELP), EXIT.ok;
  const target = apiTarget(values, io);
  const base = values.tenant ? `/v1/tenants/${encodeURIComponent(values.tenant)}/audit` : '/v1/audit';
  const shown = progress(io, 'audit export');
  // The API pages newest first; the export is written oldest first, as the chain is verified.
  const events: unknown[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await callApi<Page>(target, 'GET', `${base}?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    events.push(...page.items);
    shown.update(events.length);
    cursor = page.nextCursor;
  } while (cursor);
  events.reverse();
  const file: WriteStream | undefined = values.out ? createWriteStream(values.out, { flags: 'wx' }) : undefined;
  try {
    for (const e of events) {
      const line = `${JSON.stringify(e)}\n`;
      if (file) {
        if (!file.write(line)) await new Promise<void>((r) => file.once('drain', () => r()));
      } else io.out(line);
    }
  } finally {
    file?.end();
    if (file) await finished(file).catch((err: Error) => {
      throw new CliError(EXIT.failed, `cannot write ${values.out}: ${err.message}`);
    });
  }
  shown.end(`${events.length} event(s)${values.out ? ` written to ${values.out}` : ''}`);
  return EXIT.ok;
}
