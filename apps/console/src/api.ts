import type {
  ExposureItem,
  BulkPlan,
  BulkResult,
  Person,
  Preset,
  TenantStatus,
  AuditActor,
  AuditFilters,
  AuditPage,
  ChangeRequest,
  Inbox,
  PrincipalRequest,
  Me,
  OptionDefinition,
  OptionView,
  SealSummary,
  Tenant,
  VerifyResult,
} from './types.js';

export interface ApiIssue {
  pointer: string;
  rule: string;
  message: string;
}

export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: ApiIssue[];
  requestId?: string;
}

/** An API answer outside 2xx, kept as the API worded it. */
export class ApiError extends Error {
  constructor(readonly body: ApiErrorBody) {
    super(body.message);
  }

  get status(): number {
    return this.body.statusCode;
  }

  /** The server has no such route at all (a feature not deployed there), as opposed to a missing resource. */
  get routeMissing(): boolean {
    return (this.status === 404 || this.status === 405) && /^Cannot [A-Z]+ /.test(this.body.message);
  }
}

/** Marker for a feature the server does not offer. */
export const UNAVAILABLE = Symbol('unavailable');
export type Maybe<T> = T | typeof UNAVAILABLE;

/** Resolves to UNAVAILABLE when the route does not exist on this server; other errors pass through. */
export async function feature<T>(call: Promise<T>): Promise<Maybe<T>> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ApiError && err.routeMissing) return UNAVAILABLE;
    throw err;
  }
}

export interface Answer<T> {
  status: number;
  body: T;
}

/** An option write applies directly (200) or waits for approvals as a change request (202). */
export type WriteOutcome = { applied: true; option: OptionView } | { applied: false; request: ChangeRequest };

const seg = encodeURIComponent;

function query(params: object): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== '') as [string, string][];
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}

/**
 * How the console proves who it is: a pasted bearer token, or the session cookie of a sign-in
 * through the organisation's identity provider (the browser sends the cookie; every request that
 * may change something carries the session's CSRF token).
 */
export type Credentials = { token: string } | { csrfToken: string };

/** What the server says about sign-in: whether its identity provider is offered, and the browser's session. */
export interface ConsoleSession {
  oidc: boolean;
  session: { csrfToken: string; expiresAt: string } | null;
}

/** Read without credentials; a server without console sessions offers token sign-in only. */
export async function consoleSession(): Promise<ConsoleSession> {
  const res = await fetch('/v1/console/session', { headers: { accept: 'application/json' } }).catch(() => null);
  if (!res?.ok) return { oidc: false, session: null };
  return (await res.json()) as ConsoleSession;
}

const SAFE = new Set(['GET', 'HEAD']);

function credentialHeaders(c: Credentials, method: string): Record<string, string> {
  if ('token' in c) return { authorization: `Bearer ${c.token}` };
  return SAFE.has(method) ? {} : { 'x-cloison-csrf': c.csrfToken };
}

/** Every call the console makes, with the signed-in user's bearer token or console session. */
export class Api {
  /** `onUnauthorized` hears every 401: the token or session was revoked or ended while in use. */
  constructor(
    readonly credentials: Credentials,
    private readonly onUnauthorized?: () => void,
  ) {}

  /** Signed in through the identity provider (a cookie session), rather than with a pasted token. */
  get cookieSession(): boolean {
    return !('token' in this.credentials);
  }

  async send<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const res = await fetch(path, {
      method,
      headers: {
        ...credentialHeaders(this.credentials, method),
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      if (res.status === 401) this.onUnauthorized?.();
      const b = parsed as Partial<ApiErrorBody> | undefined;
      throw new ApiError({
        statusCode: res.status,
        error: b?.error ?? res.statusText,
        message: typeof b?.message === 'string' ? b.message : `${res.status} ${res.statusText}`,
        details: Array.isArray(b?.details) ? b.details : undefined,
        requestId: b?.requestId,
      });
    }
    return { status: res.status, body: parsed as T };
  }

  async get<T>(path: string): Promise<T> {
    return (await this.send<T>('GET', path)).body;
  }

  async blob(path: string): Promise<Blob> {
    const res = await fetch(path, { headers: credentialHeaders(this.credentials, 'GET') });
    if (!res.ok) {
      if (res.status === 401) this.onUnauthorized?.();
      const b = (await res.json().catch(() => ({}))) as Partial<ApiErrorBody>;
      throw new ApiError({
        statusCode: res.status,
        error: b.error ?? res.statusText,
        message: b.message ?? res.statusText,
        details: b.details,
      });
    }
    return res.blob();
  }

  me = () => this.get<Me>('/v1/me');
  /** Ends the console session on the server (the cookie is cleared); nothing to end with a token. */
  signOut = () => this.send<void>('POST', '/v1/console/sign-out');
  registry = () => this.get<OptionDefinition[]>('/v1/registry');
  tenants = () => this.get<Tenant[]>('/v1/tenants');
  tenant = (slug: string) => this.get<Tenant>(`/v1/tenants/${seg(slug)}`);
  options = (slug: string) => this.get<OptionView[]>(`/v1/tenants/${seg(slug)}/options`);

  /** The log across tenants, or through `own`'s route for a person bound to that tenant. */
  audit(filters: AuditFilters, own?: string): Promise<AuditPage> {
    const { tenant, ...rest } = filters;
    if (own) return this.get<AuditPage>(`/v1/tenants/${seg(own)}/audit${query({ ...rest, limit: '50' })}`);
    return this.get<AuditPage>(`/v1/audit${query({ ...rest, tenant, limit: '50' })}`);
  }

  tenantAudit(slug: string, cursor?: string, option?: string): Promise<AuditPage> {
    return this.get<AuditPage>(`/v1/tenants/${seg(slug)}/audit${query({ option, cursor, limit: '50' })}`);
  }

  /** The people who appear in the log, to filter by name. */
  auditActors = (tenant?: string, own?: string) =>
    this.get<AuditActor[]>(own ? `/v1/tenants/${seg(own)}/audit/actors` : `/v1/audit/actors${query({ tenant })}`);

  async setOption(slug: string, key: string, value: unknown, reason: string, version: number): Promise<WriteOutcome> {
    const path = `/v1/tenants/${seg(slug)}/options/${seg(key)}`;
    const res = await this.send<OptionView | ChangeRequest>('PUT', path, { value, reason }, { 'if-match': `"${version}"` });
    return res.status === 202 ? { applied: false, request: res.body as ChangeRequest } : { applied: true, option: res.body as OptionView };
  }

  async resetOption(slug: string, key: string, reason: string, version: number): Promise<WriteOutcome> {
    const path = `/v1/tenants/${seg(slug)}/options/${seg(key)}`;
    const res = await this.send<OptionView | ChangeRequest>('DELETE', path, { reason }, { 'if-match': `"${version}"` });
    return res.status === 202 ? { applied: false, request: res.body as ChangeRequest } : { applied: true, option: res.body as OptionView };
  }

  changeRequests = (slug: string) => this.get<ChangeRequest[]>(`/v1/tenants/${seg(slug)}/change-requests?status=pending`);

  approve = (r: ChangeRequest, signature?: object) =>
    this.send<ChangeRequest>('POST', `/v1/tenants/${seg(r.tenant)}/change-requests/${seg(r.id)}/approve`, {
      contentHash: r.contentHash,
      ...(signature ? { signature } : {}),
    });

  reject = (r: ChangeRequest, reason: string) =>
    this.send<ChangeRequest>('POST', `/v1/tenants/${seg(r.tenant)}/change-requests/${seg(r.id)}/reject`, { reason });

  withdraw = (r: ChangeRequest, reason: string) =>
    this.send<ChangeRequest>('POST', `/v1/tenants/${seg(r.tenant)}/change-requests/${seg(r.id)}/withdraw`, { reason });

  seals = (slug: string) => this.get<SealSummary[]>(`/v1/tenants/${seg(slug)}/seals`);

  inbox = () => this.get<Inbox>('/v1/inbox');

  approvePrincipalRequest = (r: PrincipalRequest) =>
    this.send<PrincipalRequest>('POST', `/v1/tenants/${seg(r.tenant ?? '')}/principal-requests/${seg(r.id)}/approve`, {});

  presets = () => this.get<Preset[]>('/v1/presets');

  exposure = () => this.get<{ generatedAt: string; items: ExposureItem[] }>('/v1/reports/exposure');

  createTenant = (body: { slug: string; name: string; riskLevel: number; preset?: string }) =>
    this.send<Tenant>('POST', '/v1/tenants', body);

  people = (slug: string) => this.get<Person[]>(`/v1/tenants/${seg(slug)}/principals`);

  /** 201: the invitation is on its way; 202: a client admin of the tenant approves it first. */
  invite = (slug: string, body: { name: string; email: string }) =>
    this.send<unknown>('POST', `/v1/tenants/${seg(slug)}/invitations`, body);

  /** 200: revoked; 202: someone else must approve the revocation. */
  revoke = (id: string) => this.send<unknown>('POST', `/v1/principals/${seg(id)}/revoke`);

  bulkPlan = (body: { option: string; operation: 'set' | 'reset'; value?: unknown; tenants: string[]; reason: string }) =>
    this.send<BulkPlan>('POST', '/v1/bulk-changes', { ...body, dryRun: true });

  bulkApply = (plan: BulkPlan, tenants: string[]) =>
    this.send<BulkResult>('POST', '/v1/bulk-changes', {
      option: plan.option,
      operation: plan.operation,
      ...(plan.operation === 'set' ? { value: plan.value } : {}),
      tenants,
      reason: plan.reason,
      planHash: plan.planHash,
    });

  tenantStatus = () => this.get<TenantStatus[]>('/v1/reports/tenant-status');

  proposeSeal = (slug: string, label: string) => this.send<SealSummary>('POST', `/v1/tenants/${seg(slug)}/seals`, { label });

  approveSeal = (slug: string, id: string, signature?: object) =>
    this.send<SealSummary>('POST', `/v1/tenants/${seg(slug)}/seals/${seg(id)}/approve`, signature ? { signature } : undefined);

  /** Lift and break-glass are approvals too: each needs a reason, and applies once enough people agree. */
  sealStep = (slug: string, id: string, step: 'lift' | 'break-glass', reason: string, signature?: object) =>
    this.send<SealSummary>('POST', `/v1/tenants/${seg(slug)}/seals/${seg(id)}/${step}`, { reason, ...(signature ? { signature } : {}) });

  /** Under an active seal: a secrecy option towards more secrecy, applied once a second operator approves. */
  breakGlassChange = (slug: string, id: string, body: { option: string; value: unknown; reason: string }) =>
    this.send<ChangeRequest>('POST', `/v1/tenants/${seg(slug)}/seals/${seg(id)}/break-glass-changes`, body);

  verify = (slug?: string) => this.get<VerifyResult>(slug ? `/v1/tenants/${seg(slug)}/audit/verify` : '/v1/audit/verify');

  exportAudit = (format: 'jsonl' | 'csv', slug?: string) =>
    this.blob(`${slug ? `/v1/tenants/${seg(slug)}/audit/export` : '/v1/audit/export'}?format=${format}`);
}
