import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { FetchBackoff } from './fetch.backoff.js';

export interface OidcSettings {
  /** Exact `iss` accepted. */
  issuer: string;
  /** Required `aud`. */
  audience: string;
  /** Key set URL; undefined = `jwks_uri` of the issuer's discovery document. */
  jwksUrl?: string;
  /** Optional claims that, when present, must name the registered principal's role / tenant slug. */
  roleClaim: string;
  tenantClaim: string;
  algorithms: string[];
  clockToleranceSeconds: number;
  /** Oldest accepted `iat`, and longest accepted lifetime (exp − iat). */
  maxTokenAgeSeconds: number;
  /** How long a fetched key set is trusted before it is fetched again. */
  jwksCacheSeconds: number;
  /** Least time between two fetches of the key set caused by an unknown key id (default 30 s). */
  jwksCooldownSeconds?: number;
}

export const OIDC_SETTINGS = Symbol('OIDC_SETTINGS');

/**
 * An accepted `sub`: 1–255 characters (OpenID Connect Core §2), none of them a control character
 * (PostgreSQL cannot store U+0000, and no provider issues such identifiers). Used with the `u`
 * flag, so characters are counted as code points, like PostgreSQL and ajv count them.
 */
export const OIDC_SUBJECT_PATTERN = '^[^\\u0000-\\u001f\\u007f]{1,255}$';
const SUBJECT = new RegExp(OIDC_SUBJECT_PATTERN, 'u');

/** What a valid staff JWT says: who it is, and the optional role / tenant claims to compare. */
export interface StaffClaims {
  issuer: string;
  subject: string;
  role?: string;
  tenantSlug?: string;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function looksLikeJwt(token: string): boolean {
  return token.startsWith('eyJ') && token.length <= 8192 && JWT_SHAPE.test(token);
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The claims rules, applied to the payload before any key is looked up (so that junk costs no
 * network) and again to the verified payload. Returns the claims, or null.
 */
export function readStaffClaims(p: JWTPayload, s: OidcSettings, nowSeconds: number): StaffClaims | null {
  const tol = s.clockToleranceSeconds;
  if (p.iss !== s.issuer) return null;
  if (!(Array.isArray(p.aud) ? p.aud.includes(s.audience) : p.aud === s.audience)) return null;
  // A subject is text: ["ada"] and "ada" must never name the same person.
  if (typeof p.sub !== 'string' || !SUBJECT.test(p.sub)) return null;
  if (!isTime(p.iat) || !isTime(p.exp)) return null;
  if (p.iat > nowSeconds + tol || nowSeconds - p.iat > s.maxTokenAgeSeconds) return null;
  if (p.exp <= nowSeconds - tol || p.exp - p.iat > s.maxTokenAgeSeconds) return null;
  if (p.nbf !== undefined && (!isTime(p.nbf) || p.nbf > nowSeconds + tol)) return null;
  const role = p[s.roleClaim];
  const tenant = p[s.tenantClaim];
  if ((role !== undefined && typeof role !== 'string') || (tenant !== undefined && typeof tenant !== 'string')) return null;
  return { issuer: p.iss, subject: p.sub, role: role as string | undefined, tenantSlug: tenant as string | undefined };
}

/**
 * Checks a JWT from the configured OpenID Connect issuer: claims first (issuer, audience,
 * subject, age), then the signature against the issuer's key set, fetched through discovery,
 * cached for `jwksCacheSeconds`, refetched on an unknown key id at most once per cooldown, and
 * never fetched while a failed fetch is backing off. Anything off → null, never an exception.
 */
export class OidcVerifier {
  private keys?: Promise<JWTVerifyGetKey>;
  readonly backoff: FetchBackoff;

  constructor(
    private readonly settings: OidcSettings,
    backoff?: FetchBackoff,
  ) {
    this.backoff = backoff ?? new FetchBackoff();
  }

  private keySet(): Promise<JWTVerifyGetKey> {
    this.keys ??= (async () => {
      let url = this.settings.jwksUrl;
      if (!url) {
        const discovery = `${this.settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
        const res = await this.backoff.fetch(discovery, { signal: AbortSignal.timeout(5000), redirect: 'manual' });
        const doc = (await res.json().catch(() => null)) as { jwks_uri?: unknown } | null;
        if (!res.ok || typeof doc?.jwks_uri !== 'string') {
          if (res.ok) this.backoff.failed();
          throw new Error(`no jwks_uri in ${discovery}`);
        }
        url = doc.jwks_uri;
      }
      return createRemoteJWKSet(new URL(url), {
        timeoutDuration: 5000,
        cacheMaxAge: this.settings.jwksCacheSeconds * 1000,
        cooldownDuration: (this.settings.jwksCooldownSeconds ?? 30) * 1000,
        [customFetch]: this.backoff.fetch,
      });
    })().catch((err: unknown) => {
      this.keys = undefined; // discovery again once the back-off allows it
      throw err;
    });
    return this.keys;
  }

  async verify(token: string): Promise<StaffClaims | null> {
    if (!looksLikeJwt(token)) return null;
    try {
      const header = decodeProtectedHeader(token);
      if (typeof header.alg !== 'string' || !this.settings.algorithms.includes(header.alg)) return null;
      if (!readStaffClaims(decodeJwt(token), this.settings, Math.floor(Date.now() / 1000))) return null;
      const { payload } = await jwtVerify(token, await this.keySet(), {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: this.settings.algorithms,
        clockTolerance: this.settings.clockToleranceSeconds,
        maxTokenAge: this.settings.maxTokenAgeSeconds,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      return readStaffClaims(payload, this.settings, Math.floor(Date.now() / 1000));
    } catch {
      return null;
    }
  }
}
