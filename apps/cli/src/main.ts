import { AUDIT_VERIFY_USAGE, auditVerifyCommand } from './commands/audit-verify.command.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  'audit verify': auditVerifyCommand,
};

const USAGE = `usage: cloison <command> [arguments]

commands:
  audit verify <export.jsonl> --public-key <key>   verify an audit export offline

${AUDIT_VERIFY_USAGE}`;

/** Dispatches `cloison <group> <command> …`; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const name = argv.slice(0, 2).join(' ');
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(argv.length ? `cloison: unknown command "${argv.join(' ')}"\n\n${USAGE}` : USAGE);
    return 2;
  }
  return command(argv.slice(2));
}
