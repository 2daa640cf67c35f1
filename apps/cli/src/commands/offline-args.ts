/** Where a command writes; tests pass their own to read what it printed. */
export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const stdio: CommandIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** Bad command line (or unreadable input): the command prints its usage and exits 2. */
export class UsageError extends Error {}

/**
 * The command line of the offline verifiers: one file (or `-`) and one `--<option> <value>`
 * (also `--<option>=<value>`); `-h`/`--help` asks for the usage.
 */
export function parseFileArgs(argv: string[], option: string, missingFile: string): { file: string; value?: string } {
  const flag = `--${option}`;
  let file: string | undefined;
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === flag) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
    } else if (arg.startsWith(`${flag}=`)) {
      value = arg.slice(flag.length + 1);
    } else if (arg === '-h' || arg === '--help') {
      throw new UsageError('');
    } else if (arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg}`);
    } else if (file === undefined) {
      file = arg;
    } else {
      throw new UsageError(`unexpected argument ${arg}`);
    }
  }
  if (!file) throw new UsageError(missingFile);
  return { file, value };
}
