import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new empty folder under the system's temporary directory (kept apart from test-app.ts, which loads the whole service). */
export function tempDir(prefix = 'cloison-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
