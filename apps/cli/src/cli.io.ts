import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Exit codes scripts can rely on (also listed by `cloison --help` and in docs/api.md).
 * 0 success; 1 the check ran and found problems (lint errors, a verification that failed,
 * pending migrations); 2 bad usage; 3 authentication or permission refused; 4 the request
 * was rejected (validation, not found, conflict); 5 the server or database is unreachable or
 * failing; 70 an unexpected internal error.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, denied: 3, rejected: 4, unavailable: 5, internal: 70 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** True when stderr is a terminal: progress is redrawn in place instead of printed per step. */
  interactive: boolean;
}

export const processIo: CliIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  env: process.env,
  interactive: Boolean(process.stderr.isTTY),
};

/** A failure with the exit code it maps to; the dispatcher prints the message on stderr. */
export class CliError extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with usage errors turned into exit code 2. */
type Values<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean } & { help?: boolean };

export function parse<O extends Options>(argv: string[], options: O, positionals = 0): { values: Values<O>; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    const values = parsed.values as Values<O>;
    if (!values.help && parsed.positionals.length !== positionals) {
      throw new Error(`expected ${positionals} argument(s), got ${parsed.positionals.length}`);
    }
    return { values, positionals: parsed.positionals };
  } catch (err) {
    throw new CliError(EXIT.usage, (err as Error).message);
  }
}

/** Progress on stderr: redrawn in place on a terminal, one line per step otherwise. */
export function progress(io: CliIo, label: string): { update(done: number, total?: number): void; end(summary: string): void } {
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 200 && (total === undefined || done < total)) return;
      last = now;
      const text = `${label}: ${done}${total !== undefined ? `/${total}` : ''}`;
      io.err(io.interactive ? `\r${text}` : `${text}\n`);
    },
    end(summary) {
      io.err(io.interactive ? `\r${label}: ${summary}\n` : `${label}: ${summary}\n`);
    },
  };
}
