import type { ActorState, TenantState, World } from './model.js';

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
  headers: Record<string, string>;
  /** What was sent: echoing the caller's own input back is not a leak. */
  echo: string;
  describe: string;
}

type Method = 'get' | 'post' | 'put' | 'delete';

export async function call(
  w: World,
  actor: ActorState,
  method: Method,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  let req = w.t.http[method](path);
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

/**
 * No response carries another tenant's id, slug, marker or tenant-bound principal: `allowed`
 * holds the tenant ids the response may speak of. Strings the request itself sent are skipped.
 */
export function expectNoForeignData(w: World, r: Reply, allowed: ReadonlySet<string>): void {
  const hay = `${r.text}\n${JSON.stringify(r.headers)}`;
  for (const k of w.tenants) {
    if (allowed.has(k.id)) continue;
    for (const s of [k.id, k.slug, k.marker]) {
      if (hay.includes(s) && !r.echo.includes(s)) fail(`response leaks "${s}" of tenant ${k.slug}`, r);
    }
  }
  for (const p of w.boundPrincipals) {
    if (!allowed.has(p.tenantId) && hay.includes(p.id)) fail(`response leaks principal ${p.id} of another tenant`, r);
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
