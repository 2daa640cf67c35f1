import { lintCatalog } from '#registry';
import { EXIT, parse, type CliIo } from '../cli.io.js';

export const CATALOG_LINT_HELP = `Usage:
  cloison catalog lint <dir> [--json]

Checks an option catalog offline (<dir>/options/*.json) exactly as the service does at
boot: definition shape, JSON Schema 2020-12 validity, defaults and safe values against the
schema, critical options defaulting to their safe value, keys matching file names.
Exit 0 when clean, 1 when there are problems (all listed at once).
`;

export async function catalogLintCommand(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'lint') {
    io.out(CATALOG_LINT_HELP);
    return sub === '--help' || sub === '-h' ? EXIT.ok : EXIT.usage;
  }
  const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, 1);
  if (values.help) return (io.out(CATALOG_LINT_HELP), EXIT.ok);
  const { options, problems } = lintCatalog(positionals[0] as string);
  if (values.json) io.out(`${JSON.stringify({ options: options.length, problems }, null, 2)}\n`);
  else {
    for (const p of problems) io.out(`${p.file}: ${p.problem}\n`);
    io.err(
      problems.length ? `${problems.length} problem(s) in ${options.length} option(s)\n` : `${options.length} option(s), no problems\n`,
    );
  }
  return problems.length ? EXIT.failed : EXIT.ok;
}
