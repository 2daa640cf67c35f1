import { runCli } from './cli.js';

/** Entry used by bin/cloison.js: runs one command line and returns its exit status. */
export function main(argv: string[]): Promise<number> {
  return runCli(argv);
}
