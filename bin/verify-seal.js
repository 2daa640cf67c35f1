#!/usr/bin/env node
// Verifies a Cloison seal document offline: `verify-seal <seal.json> [--key-id <hex>]`, the same
// command as `cloison seal verify`. The check itself is libs/audit-format's (the service signs with
// it), compiled into dist/ by `npm run build`: the rule is written once.
// Exit code 0 = valid, 1 = invalid, 2 = usage or unreadable document.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/apps/cli/src/commands/seal-verify.command.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('verify-seal: run `npm run build` first (dist/ is missing)\n');
  process.exit(2);
}
const { sealVerifyCommand } = await import(entry.href);
process.exitCode = await sealVerifyCommand(process.argv.slice(2));
