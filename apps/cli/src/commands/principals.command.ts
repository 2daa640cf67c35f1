import { apiTarget, callApi, CONNECTION_OPTIONS } from '../api.client.js';
import { CliError, EXIT, parse, type CliIo } from '../cli.io.js';

export const PRINCIPALS_HELP = `Usage:
  cloison principals create --name <name> --role <role> [--tenant <slug>] [--oidc-subject <sub>] [--expires-at <ISO time>] [--json]
  cloison principals revoke <principal-id> [--json]

Creates a principal and prints its token once (store it: only its hash is kept),
or revokes one: its token stops working at once. Both are recorded in the audit log.
Roles: operator, compliance (span tenants), client_admin, service (need --tenant).
With --expires-at, the token stops working at that time (services, automation).
With --oidc-subject, the principal is a person who signs in with JWTs of the server's
OpenID Connect issuer carrying that subject: no token is issued.

Connection: --url / CLOISON_URL, --token / CLOISON_TOKEN (an operator's).
`;

export async function principalsCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'create') {
    const { values } = parse(rest, {
      ...CONNECTION_OPTIONS,
      name: { type: 'string' },
      role: { type: 'string' },
      tenant: { type: 'string' },
      'oidc-subject': { type: 'string' },
      'expires-at': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) return (io.out(PRINCIPALS_HELP), EXIT.ok);
    if (!values.name || !values.role) throw new CliError(EXIT.usage, 'principals create needs --name and --role');
    const subject = values['oidc-subject'];
    const body = {
      name: values.name,
      role: values.role,
      ...(values.tenant ? { tenant: values.tenant } : {}),
      ...(subject ? { oidc: { subject } } : {}),
      ...(values['expires-at'] ? { tokenExpiresAt: values['expires-at'] } : {}),
    };
    const created = await callApi<{ id: string; role: string; tenant: string | null; token?: string }>(
      apiTarget(values, io),
      'POST',
      '/v1/principals',
      body,
    );
    if (values.json) io.out(`${JSON.stringify(created)}\n`);
    else if (created.token === undefined)
      io.out(
        `created principal ${created.id} (${created.role}${created.tenant ? ` of ${created.tenant}` : ''}), signing in as ${subject}\n`,
      );
    else {
      io.out(`${created.token}\n`);
      io.err(
        `created principal ${created.id} (${created.role}${created.tenant ? ` of ${created.tenant}` : ''}); the token above is shown only once\n`,
      );
    }
    return EXIT.ok;
  }
  if (sub === 'revoke') {
    const { values, positionals } = parse(rest, { ...CONNECTION_OPTIONS, json: { type: 'boolean' } }, 1);
    if (values.help) return (io.out(PRINCIPALS_HELP), EXIT.ok);
    const id = positionals[0] as string;
    const revoked = await callApi<{ id: string; revokedAt: string }>(
      apiTarget(values, io),
      'POST',
      `/v1/principals/${encodeURIComponent(id)}/revoke`,
      {},
    );
    io.out(values.json ? `${JSON.stringify(revoked)}\n` : `revoked ${revoked.id} at ${revoked.revokedAt}\n`);
    return EXIT.ok;
  }
  if (sub === undefined || sub === '--help' || sub === '-h') return (io.out(PRINCIPALS_HELP), sub ? EXIT.ok : EXIT.usage);
  throw new CliError(EXIT.usage, `unknown subcommand "principals ${sub}"\n\n${PRINCIPALS_HELP}`);
}
