import { runCli } from '#cli/cli';
import type { CliIo } from '#cli/cli.io';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in-process with `env` as its environment, collecting what it writes. */
export async function runCliCollect(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => void (out += s), err: (s) => void (err += s), env, interactive: false };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** The CLI against the service at `url`, as the holder of `token`. */
export const cliAs = (url: string, token: string, argv: string[]): Promise<CliRun> =>
  runCliCollect(argv, { CLOISON_URL: url, CLOISON_TOKEN: token });
