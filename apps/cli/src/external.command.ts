import { CliError, EXIT, type CliIo } from './cli.io.js';

/**
 * Offline verifiers live in their own command files, each exporting
 * `<name>Command(argv: string[]): Promise<number>` that writes to stdout/stderr itself.
 * They are loaded on use, so a build without one answers clearly instead of failing to start.
 */
export async function externalCommand(label: string, specifier: string, exportName: string, argv: string[], io: CliIo): Promise<number> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module/.test((err as Error).message)) {
      io.err(`cloison ${label}: not available in this build\n`);
      return EXIT.internal;
    }
    throw err;
  }
  const run = mod[exportName];
  if (typeof run !== 'function') throw new CliError(EXIT.internal, `${specifier} does not export ${exportName}`);
  return (run as (argv: string[]) => Promise<number>)(argv);
}
