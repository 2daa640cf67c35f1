import { AUDIT_EXPORT_HELP, auditExportCommand } from './commands/audit-export.command.js';
import { APPROVE_HELP, KEYS_HELP, approveCommand, keysCommand } from './commands/approvals.command.js';
import { CATALOG_LINT_HELP, catalogLintCommand } from './commands/catalog-lint.command.js';
import { MIGRATE_HELP, migrateCommand } from './commands/migrate.command.js';
import { OPERATOR_HELP, operatorCommand } from './commands/operator-recover.command.js';
import { PRINCIPALS_HELP, principalsCommand } from './commands/principals.command.js';
import { TENANTS_HELP, tenantsCommand } from './commands/tenants.command.js';
import { SEAL_STEP_HELP, sealStepCommand } from './commands/seal-steps.command.js';
import { ConfigError } from '#config';
import { DataDirBusyError } from '#persistence';
import { externalCommand } from './external.command.js';
import { CliError, EXIT, processIo, type CliIo } from './cli.io.js';

export const MAIN_HELP = `cloison — operate a Cloison service

Usage: cloison <command> [options]    (cloison <command> --help for details)

Online (talk to the API; --url / CLOISON_URL and --token / CLOISON_TOKEN):
  principals create   create a principal and print its token once
  principals revoke   revoke a principal's token
  tenants list        list every tenant (operator, compliance)
  audit export        write the audit log as JSON Lines (progress on stderr)
  keys create --key <file>
                      create an Ed25519 approval key locally (0600) and enrol its public key
  approve <tenant> <request-id> --key <file>
                      sign and send an approval of a change request
  seal approve|lift|break-glass <tenant> <seal-id> [--reason <text>] --key <file>
                      sign and send a seal step: approve a proposed seal, approve a lift, break glass

Offline:
  catalog lint <dir>  check an option catalog as the service does at boot
  audit verify <file> --public-key <key>
                      verify an audit export without trusting the server
  seal verify <file>  verify a sealed configuration without trusting the server
  migrate             apply database migrations and exit (DATABASE_URL, ...)
  operator recover --name <name>
                      every operator token lost: create an operator (audited), print its token once

Exit codes:
  0  success
  1  the check ran and found problems (lint errors, failed verification, pending migrations)
  2  bad usage (unknown command, missing or invalid argument)
  3  authentication or permission refused (401, 403)
  4  request rejected (validation error, not found, conflict)
  5  server or database unreachable or failing (5xx, connection refused)
  70 unexpected internal error
`;

type Handler = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Handler> = {
  principals: principalsCommand,
  tenants: tenantsCommand,
  catalog: catalogLintCommand,
  migrate: migrateCommand,
  operator: operatorCommand,
  keys: keysCommand,
  approve: approveCommand,
  audit: (argv, io) => {
    const [sub, ...rest] = argv;
    if (sub === 'export') return auditExportCommand(rest, io);
    if (sub === 'verify') return externalCommand('audit verify', './commands/audit-verify.command.js', 'auditVerifyCommand', rest, io);
    throw new CliError(EXIT.usage, `usage: cloison audit export|verify ...\n\n${AUDIT_EXPORT_HELP}`);
  },
  seal: (argv, io) => {
    const [sub, ...rest] = argv;
    if (sub === 'verify') return externalCommand('seal verify', './commands/seal-verify.command.js', 'sealVerifyCommand', rest, io);
    if (sub === 'approve' || sub === 'lift' || sub === 'break-glass') return sealStepCommand(sub, rest, io);
    throw new CliError(EXIT.usage, `usage: cloison seal verify <file> | seal approve|lift|break-glass ...\n\n${SEAL_STEP_HELP}`);
  },
};

export const HELP_TEXTS = [
  MAIN_HELP,
  PRINCIPALS_HELP,
  TENANTS_HELP,
  CATALOG_LINT_HELP,
  AUDIT_EXPORT_HELP,
  MIGRATE_HELP,
  OPERATOR_HELP,
  KEYS_HELP,
  APPROVE_HELP,
];

/** Runs one command line; never throws, always resolves to an exit code. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(MAIN_HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`cloison: unknown command "${name}" (see cloison --help)\n`);
    return EXIT.usage;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`cloison ${name}: ${err.message}\n`);
      return err.code;
    }
    if (err instanceof DataDirBusyError) {
      io.err(`cloison ${name}: ${err.message}\n`);
      return EXIT.unavailable;
    }
    if (err instanceof ConfigError) {
      io.err(`cloison ${name}: ${err.message}\n`);
      return EXIT.usage;
    }
    const e = err as Error & { code?: string };
    if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', '57P03', '3D000', '28P01', '28000'].includes(e.code ?? '')) {
      io.err(`cloison ${name}: database unavailable (${e.message})\n`);
      return EXIT.unavailable;
    }
    io.err(`cloison ${name}: ${e?.stack ?? String(err)}\n`);
    return EXIT.internal;
  }
}
