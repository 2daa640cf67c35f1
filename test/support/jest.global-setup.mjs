import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * Once per run, before any worker starts: the migrated template every test database is copied
 * from (test/support/template-database.ts). Workers inherit the embedded template's folder
 * through the environment.
 */
export default async function globalSetup() {
  if (process.env.CLOISON_TEST_PGLITE_TEMPLATE) return; // another project's set-up made it
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', './test/support/ts-register.mjs', 'test/support/build-template.ts'],
    {
      env: { ...process.env, NODE_OPTIONS: '' },
      maxBuffer: 1 << 20,
    },
  );
  const built = JSON.parse(stdout.trim().split('\n').at(-1));
  if (built.pglite) process.env.CLOISON_TEST_PGLITE_TEMPLATE = built.pglite;
}
