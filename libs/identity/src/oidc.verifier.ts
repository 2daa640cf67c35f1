import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ROLES, spansTenants, type Role } from '../../tenancy/src/index.js';

export interface OidcSettings {
  /** Exact `iss` accepted. */
  issuer: string;
  /** Required `aud`. */
  audience: string;
  /** Key set URL; undefined = `jwks_uri` of the issuer's discovery document. */
  jwksUrl?: string;
  roleClaim: string;
  tenantClaim: string;
  algorithms: string[];
  clockToleranceSeconds: number;
}

export const OIDC_SETTINGS = Symbol('OIDC_SETTINGS');

/** What a valid staff JWT says, before its tenant slug is looked up. */
export interface StaffClaims {
  issuer: string;
  subject: string;
  name: string;
  role: Role;
  tenantSlug: string | null;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function looksLikeJwt(token: string): boolean {
  return token.startsWith('eyJ') && token.length <= 8192 && JWT_SHAPE.test(token);
}

/** How a staff member appears in the audit log: issuer and subject, never a local id. */
export function staffPrincipalId(issuer: string, subject: string): string {
  return `oidc:${issuer}#${subject}`;
}

/**
 * Checks a JWT from the configured OpenID Connect issuer: signature against the issuer's
 * key set (cached, refetched on an unknown key id), issuer, audience, expiry, accepted
 * algorithms; then reads role and tenant from the configured claims. Anything off → null.
 */
export class OidcVerifier {
  private keys?: Promise<JWTVerifyGetKey>;

  constructor(private readonly settings: OidcSettings) {}

  private keySet(): Promise<JWTVerifyGetKey> {
    this.keys ??= (async () => {
      let url = this.settings.jwksUrl;
      if (!url) {
        const discovery = `${this.settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
        const res = await fetch(discovery, { signal: AbortSignal.timeout(5000) });
        const doc = (await res.json()) as { jwks_uri?: unknown; issuer?: unknown };
        if (!res.ok || typeof doc.jwks_uri !== 'string') throw new Error(`no jwks_uri in ${discovery}`);
        url = doc.jwks_uri;
      }
      return createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30000 });
    })().catch((err: unknown) => {
      this.keys = undefined; // retry discovery on the next token
      throw err;
    });
    return this.keys;
  }

  async verify(token: string): Promise<StaffClaims | null> {
    if (!looksLikeJwt(token)) return null;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keySet(), {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: this.settings.algorithms,
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch {
      return null;
    }
    const role = payload[this.settings.roleClaim];
    if (typeof role !== 'string' || !ROLES.includes(role as Role)) return null;
    const tenant = payload[this.settings.tenantClaim];
    // Tenant-bound roles name exactly one tenant; roles that span tenants name none.
    if (spansTenants(role as Role) ? tenant !== undefined : typeof tenant !== 'string') return null;
    const name = [payload.name, payload.preferred_username, payload.email, payload.sub].find((v) => typeof v === 'string' && v !== '');
    return {
      issuer: payload.iss as string,
      subject: payload.sub as string,
      name: String(name).slice(0, 200),
      role: role as Role,
      tenantSlug: typeof tenant === 'string' ? tenant : null,
    };
  }
}
