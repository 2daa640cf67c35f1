import type { Database } from './database.connector.js';

/**
 * A statement the service runs on every change, as pg's query config: named, so that each pooled
 * connection parses and plans it once and then only binds and executes it. Not named on the
 * embedded server, whose connections all share one session (a second connection's PARSE of the
 * same name would fail there).
 */
export function hotStatement(database: Pick<Database, 'mode'>, name: string, text: string): { name?: string; text: string } {
  return database.mode === 'embedded' ? { text } : { name, text };
}
