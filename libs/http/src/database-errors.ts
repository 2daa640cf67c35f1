/**
 * Recognises database failures that are not the request's fault, whichever layer raised them:
 * node-postgres (socket codes, SQLSTATE, plain Errors from the pool), the Prisma driver adapter
 * (`kind`), or Prisma itself (P-codes, with the adapter's error under `meta.driverAdapterError`).
 */

/** Database unreachable, restarting or overloaded: the client may retry; nothing was written. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // admin/crash shutdown, cannot connect now, too many connections, out of memory/disk
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53200',
  '53100',
  // Prisma: unreachable, timed out, connection closed, pool timeout, transaction expired
  'P1001',
  'P1002',
  'P1017',
  'P2024',
  'P2028',
]);
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TransactionAlreadyClosed',
]);
// node-postgres raises these as plain Errors without a code.
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Can't reach database server|Server has closed the connection|the database system is (starting up|shutting down|in recovery mode)/;

/**
 * PostgreSQL rolled the transaction back to break a deadlock or a serialization conflict with a
 * concurrent one: nothing was written, and the same request may succeed if sent again.
 */
const CONTENTION_CODES = new Set(['40P01', '40001']);

/** Values PostgreSQL cannot store (U+0000, malformed Unicode escapes): the request's fault. */
const UNSTORABLE_CODES = new Set(['22021', '22P05']);

/** The session is not the restricted one checked at boot (see SessionRoleError): refuse, loudly. */
const SESSION_ROLE_CODE = 'CLOISON_SESSION_ROLE';

export type DatabaseFailure = 'unavailable' | 'unstorable' | 'session-role' | 'contention';

/** The error, its causes and the driver adapter's error Prisma wraps, outermost first. */
function layers(err: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const queue: unknown[] = [err];
  while (queue.length && out.length < 8) {
    const e = queue.shift();
    if (e === null || typeof e !== 'object' || out.includes(e as Record<string, unknown>)) continue;
    const o = e as Record<string, unknown>;
    out.push(o);
    queue.push(o.cause, (o.meta as Record<string, unknown> | undefined)?.driverAdapterError);
  }
  return out;
}

export function classifyDatabaseError(err: unknown): DatabaseFailure | undefined {
  const all = layers(err);
  const codes = all.flatMap((o) => [o.code, o.originalCode].filter((c): c is string => typeof c === 'string'));
  if (codes.includes(SESSION_ROLE_CODE)) return 'session-role';
  if (codes.some((c) => UNSTORABLE_CODES.has(c))) return 'unstorable';
  if (codes.some((c) => CONTENTION_CODES.has(c))) return 'contention';
  if (codes.some((c) => UNAVAILABLE_CODES.has(c) || /^08/.test(c))) return 'unavailable';
  if (all.some((o) => typeof o.kind === 'string' && UNAVAILABLE_KINDS.has(o.kind))) return 'unavailable';
  if (all.some((o) => typeof o.message === 'string' && UNAVAILABLE_MESSAGES.test(o.message))) return 'unavailable';
  return undefined;
}

/** A unique constraint refused the write (Prisma's P2002, or PostgreSQL's 23505 through the adapter). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; cause?: { originalCode?: string } };
  return e?.code === 'P2002' || e?.cause?.originalCode === '23505';
}
