import { createHash, createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '#persistence';
import { ROLES, type AuthenticatedPrincipal, type Role } from '#tenancy';
import { hashToken } from './token.js';

/** The cookie holding the session id; HttpOnly, SameSite=Strict, Secure when the console is served over https. */
export const SESSION_COOKIE = 'cloison_session';
/** The header every state-changing request made with the session cookie carries (see csrfToken). */
export const CSRF_HEADER = 'x-cloison-csrf';

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** Requests that change nothing need no CSRF token; every other method does. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The console's sign-in and sessions, as configured (docs/configuration.md). */
export interface ConsoleSettings {
  /** The identity provider's issuer (OIDC_ISSUER) and the console's client there; undefined = tokens only. */
  signIn?: { issuer: string; clientId: string; clientSecret: string; redirectUrl: string };
  idleSeconds: number;
  maxSeconds: number;
  /** The service key every instance holds: the CSRF and sign-in keys are derived from it. */
  serviceKey: KeyObject;
}

export const CONSOLE_SETTINGS = Symbol('CONSOLE_SETTINGS');

export interface OpenedSession {
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

/** The value of cookie `name` in a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether a request of this method may change something, and so needs the CSRF token with a cookie. */
export const changesState = (method: string): boolean => !SAFE_METHODS.has(method.toUpperCase());

/** A key of its own for `purpose`, derived from the service key every instance holds. */
export function derivedKey(key: KeyObject, purpose: string): Buffer {
  return createHash('sha256')
    .update(`cloison ${purpose}\0`)
    .update(key.export({ type: 'pkcs8', format: 'der' }))
    .digest();
}

/**
 * Console sessions of people signed in through the OpenID provider. The cookie holds an opaque
 * id (256 random bits); the database keeps its hash, the principal, an absolute end and the last
 * use. Every request with the cookie asks the database (nothing is cached): a session ended by
 * sign-out, expiry or the principal's revocation is refused on the next request, on every instance.
 */
@Injectable()
export class ConsoleSessions {
  private readonly csrfKey: Buffer;
  readonly idleSeconds: number;
  readonly maxSeconds: number;
  /** Cookies are `Secure` when the console's callback is served over https. */
  readonly secure: boolean;

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(CONSOLE_SETTINGS) settings: ConsoleSettings,
  ) {
    this.csrfKey = derivedKey(settings.serviceKey, 'console csrf');
    this.idleSeconds = settings.idleSeconds;
    this.maxSeconds = settings.maxSeconds;
    this.secure = settings.signIn?.redirectUrl.startsWith('https://') ?? false;
  }

  /** A new session for a live principal, or null (revoked meanwhile). */
  async open(principalId: string): Promise<OpenedSession | null> {
    const id = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.maxSeconds * 1000);
    const rows = await this.prisma.$queryRaw<{ opened: boolean }[]>`
      SELECT cloison_console_session_open(${hashToken(id)}, ${principalId}::uuid, ${expiresAt}) AS opened`;
    return rows[0]?.opened ? { id, csrfToken: this.csrfToken(id), expiresAt } : null;
  }

  /** The live principal holding session `id`, or null (unknown, ended, idle too long, past its end, revoked). */
  async authenticate(id: string): Promise<(AuthenticatedPrincipal & { sessionExpiresAt: number }) | null> {
    if (!SESSION_ID.test(id)) return null;
    const rows = await this.prisma.$queryRaw<
      { id: string; name: string; role: string; tenant_id: string | null; tenant_slug: string | null; session_expires_at: Date }[]
    >`SELECT * FROM cloison_console_session_authenticate(${hashToken(id)}, ${this.idleSeconds}::int)`;
    const row = rows[0];
    if (!row || !ROLES.includes(row.role as Role)) return null;
    return {
      id: row.id,
      name: row.name,
      role: row.role as Role,
      tenantId: row.tenant_id,
      tenantSlug: row.tenant_slug,
      sessionExpiresAt: row.session_expires_at.getTime(),
    };
  }

  /** Ends session `id` (sign-out); true if it existed. */
  async close(id: string): Promise<boolean> {
    if (!SESSION_ID.test(id)) return false;
    const rows = await this.prisma.$queryRaw<{ closed: boolean }[]>`SELECT cloison_console_session_close(${hashToken(id)}) AS closed`;
    return rows[0]?.closed === true;
  }

  /**
   * The session's CSRF token: a MAC of its id under a key only the service holds. The console
   * reads it from GET /v1/console/session (same origin only: no CORS) and sends it in CSRF_HEADER;
   * another site can make the browser send the cookie, but cannot read or compute this.
   */
  csrfToken(id: string): string {
    return createHmac('sha256', this.csrfKey).update(id).digest('base64url');
  }

  csrfMatches(id: string, presented: string | string[] | undefined): boolean {
    if (typeof presented !== 'string') return false;
    const want = Buffer.from(this.csrfToken(id));
    const got = Buffer.from(presented);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  /** Set-Cookie value starting the session. */
  sessionCookie(id: string): string {
    return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${this.maxSeconds}${this.secure ? '; Secure' : ''}`;
  }

  /** Set-Cookie value removing the session cookie. */
  clearedCookie(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${this.secure ? '; Secure' : ''}`;
  }
}
