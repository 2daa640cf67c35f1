import { rmSync } from 'node:fs';
import { dirname } from 'node:path';

export default async function globalTeardown() {
  const dir = process.env.CLOISON_TEST_PGLITE_TEMPLATE;
  if (!dir) return;
  rmSync(dirname(dir), { recursive: true, force: true });
  delete process.env.CLOISON_TEST_PGLITE_TEMPLATE;
}
