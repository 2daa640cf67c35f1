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

/**
 * Whether PostgreSQL itself answered a statement with an error (an ErrorResponse: SQLSTATE and
 * severity), so that the statement's implicit transaction is known to have rolled back; false when
 * the outcome is unknown (the connection failed before an answer: it may have committed).
 */
export function refusedByDatabase(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown } | null;
  return typeof e?.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
}
