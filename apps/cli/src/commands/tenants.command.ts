import { apiTarget, callApi, CONNECTION_OPTIONS } from '../api.client.js';
import { CliError, EXIT, parse, type CliIo } from '../cli.io.js';

export const TENANTS_HELP = `Usage:
  cloison tenants list [--json]

Lists every tenant (an operator's or compliance token; a client admin reads its own tenant
with GET /v1/tenants/<slug>), one per line: slug, risk level, id, name. --json prints the
API's answer as is.

Connection: --url / CLOISON_URL, --token / CLOISON_TOKEN.
`;

interface TenantView {
  id: string;
  slug: string;
  name: string;
  riskLevel: number;
}

export async function tenantsCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'list') {
    if (sub === '--help' || sub === '-h') return (io.out(TENANTS_HELP), EXIT.ok);
    throw new CliError(EXIT.usage, `${sub ? `unknown subcommand "tenants ${sub}"` : 'missing subcommand'}\n\n${TENANTS_HELP}`);
  }
  const { values } = parse(rest, { ...CONNECTION_OPTIONS, json: { type: 'boolean' } });
  if (values.help) return (io.out(TENANTS_HELP), EXIT.ok);
  const tenants = await callApi<TenantView[]>(apiTarget(values, io), 'GET', '/v1/tenants');
  if (values.json) io.out(`${JSON.stringify(tenants, null, 2)}\n`);
  else for (const t of tenants) io.out(`${t.slug}\t${t.riskLevel}\t${t.id}\t${t.name}\n`);
  return EXIT.ok;
}
