import type { ActorState, TenantState, World } from './model.js';

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers of every route, checked by the model, not the compiler
  body: any;
  text: string;
  headers: Record<string, string>;
  /** What was sent: echoing the caller's own input back is not a leak. */
  echo: string;
  describe: string;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export async function call(
  w: World,
  actor: ActorState,
  method: Method,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  // Buffered whatever the type: exports are JSON Lines and CSV.
  let req = w.http[method](path).agent(w.agent).buffer(true);
  if (actor.authorization !== undefined) req = req.set('authorization', actor.authorization);
  for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
  if (body !== undefined) req = req.send(body as object);
  const res = await req;
  w.stats.requests++;
  w.stats.statuses[res.status] = (w.stats.statuses[res.status] ?? 0) + 1;
  const echo = `${decodeURIComponent(path)} ${JSON.stringify(body ?? null)}`;
  return {
    status: res.status,
    body: res.body,
    text: res.text ?? '',
    headers: res.headers as Record<string, string>,
    echo,
    describe: `${method.toUpperCase()} ${path} as ${actor.label} -> ${res.status} ${(res.text ?? '').slice(0, 400)}`,
  };
}

export class ModelMismatch extends Error {}

export function fail(what: string, r?: Reply): never {
  throw new ModelMismatch(r ? `${what}\n  ${r.describe}` : what);
}

export function expectStatus(r: Reply, expected: number): void {
  if (r.status !== expected) fail(`expected status ${expected}, got ${r.status}`, r);
  if (expected >= 400) {
    const b = r.body as { statusCode?: unknown; error?: unknown; message?: unknown };
    if (b?.statusCode !== expected || typeof b.error !== 'string' || typeof b.message !== 'string') {
      fail('error without the JSON error body', r);
    }
  }
}

/** Everything a tenant owns has one of these shapes: a UUID, a slug (t + 10 hex), a marker (m + 12 hex). */
export const OWNED_TOKEN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|t[0-9a-f]{10}|m[0-9a-f]{12}/g;

/**
 * No response carries another tenant's id, slug, marker, or the id of one of its principals,
 * change requests or seals: `allowed` holds the tenant ids the response may speak of. Strings
 * the request itself sent are skipped. Each token of the response is looked up once, so the
 * scan does not slow down as tenants accumulate.
 */
export function expectNoForeignData(w: World, r: Reply, allowed: ReadonlySet<string>): void {
  const hay = `${r.text}\n${JSON.stringify(r.headers)}`;
  for (const [token] of hay.matchAll(OWNED_TOKEN)) {
    const owner = w.owners.get(token);
    if (owner !== undefined && !allowed.has(owner) && !r.echo.includes(token))
      fail(`response leaks "${token}", which belongs to tenant ${owner}`, r);
  }
}

/**
 * The tenants a response may mention: a tenant-bound caller only its own; anyone else, on a
 * route about one tenant, that tenant; null = a cross-tenant answer to a cross-tenant role.
 */
export function allowedTenants(actor: ActorState, target: TenantState | null | undefined): Set<string> | null {
  if (actor.tenant) return new Set([actor.tenant.id]);
  if (actor.role === null) return new Set();
  if (target !== undefined) return new Set(target ? [target.id] : []);
  return null;
}

export function scan(w: World, r: Reply, actor: ActorState, target?: TenantState | null): void {
  const allowed = allowedTenants(actor, target);
  if (allowed) expectNoForeignData(w, r, allowed);
}
