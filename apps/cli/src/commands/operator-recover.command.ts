import { hostname, userInfo } from 'node:os';
import { loadConfig } from '#config';
import { recoverOperator } from '#identity';
import { OwnerConnectionError, withOwnerConnection } from '#persistence';
import { CliError, EXIT, parse, type CliIo } from '../cli.io.js';

export const OPERATOR_HELP = `Usage:
  cloison operator recover --name <name> [--reason <text>]

When every operator token is lost: creates a new operator and prints its token once.
Works on the database directly, as its owner: DATABASE_MIGRATION_URL if set, else
DATABASE_URL (connecting as the owner), else the embedded database in CLOISON_DATA_DIR
(stop the service first: it holds the folder). Written to the audit log as
operator.recovered, with the system user and host it ran from; revoke the lost tokens
afterwards with the new one.
`;

export async function operatorCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'recover') {
    if (sub === '--help' || sub === '-h') return (io.out(OPERATOR_HELP), EXIT.ok);
    throw new CliError(EXIT.usage, `usage: cloison operator recover --name <name>\n\n${OPERATOR_HELP}`);
  }
  const { values } = parse(rest, { name: { type: 'string' }, reason: { type: 'string' } });
  if (values.help) return (io.out(OPERATOR_HELP), EXIT.ok);
  const name = values.name?.trim();
  if (!name || name.length > 200) throw new CliError(EXIT.usage, 'operator recover needs --name (1 to 200 characters)');
  const config = loadConfig(io.env);
  const ranBy = `${userInfo().username}@${hostname()}`;
  try {
    const op = await withOwnerConnection({ ...config, poolSize: 1 }, (c) =>
      recoverOperator(c, name, values.reason ?? 'every operator token was lost', {
        id: `cli:${ranBy}`,
        name: `cloison operator recover (${ranBy})`,
        role: 'system',
      }),
    );
    io.out(`${op.token}\n`);
    io.err(`created operator ${op.id} (${op.name}); the token above is shown only once; recorded as operator.recovered\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof OwnerConnectionError) throw new CliError(EXIT.failed, err.message);
    throw err;
  }
}
