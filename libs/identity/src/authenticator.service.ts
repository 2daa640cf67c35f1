import { Inject, Injectable, Optional } from '@nestjs/common';
import { PrismaService } from '#persistence';
import { ROLES, type AuthenticatedPrincipal, type Role } from '#tenancy';
import { OIDC_SETTINGS, OidcVerifier, looksLikeJwt, type OidcSettings, type StaffClaims } from './oidc.verifier.js';
import { PrincipalCache } from './principal.cache.js';
import { hashToken, looksLikeToken, sameHash } from './token.js';

interface PrincipalRow {
  id: string;
  name: string;
  role: string;
  tenant_id: string | null;
  tenant_slug: string | null;
  token_expires_at?: Date | null;
}

const toPrincipal = (row: PrincipalRow | undefined): AuthenticatedPrincipal | null =>
  row && ROLES.includes(row.role as Role)
    ? {
        id: row.id,
        name: row.name,
        role: row.role as Role,
        tenantId: row.tenant_id,
        tenantSlug: row.tenant_slug,
        ...(row.token_expires_at ? { expiresAt: row.token_expires_at.getTime() } : {}),
      }
    : null;

/** Cache key of a staff link; token hashes are hex, so the two never collide. */
const linkKey = (c: StaffClaims) => `oidc:${JSON.stringify([c.issuer, c.subject])}`;

/**
 * Who holds a bearer token: an opaque Cloison token (services, scripts, the bootstrap
 * operator) looked up by hash, or — when an issuer is configured — a staff JWT whose issuer and
 * subject are linked to a registered principal. Either way the answer is a live registered
 * principal: its role, tenant and name are the registry's, never the token's.
 */
@Injectable()
export class Authenticator {
  private readonly oidc?: OidcVerifier;
  /** The issuer whose people may be registered and sign in with JWTs; undefined = none. */
  readonly oidcIssuer?: string;

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Optional() @Inject(OIDC_SETTINGS) oidc?: OidcSettings | null,
  ) {
    if (oidc) {
      this.oidc = new OidcVerifier(oidc);
      this.oidcIssuer = oidc.issuer;
    }
  }

  /** Principals seen by the policy guard; invalidated by the change listener and on revocation. */
  readonly cache = new PrincipalCache();

  /** The live principal holding `token`, or null. Revoked principals are never returned. */
  async authenticate(token: string): Promise<AuthenticatedPrincipal | null> {
    if (this.oidc && looksLikeJwt(token)) return this.staff(token, false);
    if (!looksLikeToken(token)) return null;
    return this.byHash(hashToken(token));
  }

  /**
   * Same answer as `authenticate`, served from memory when warm, and then synchronously (this is
   * the evaluation hot path). Unknown tokens are not cached: they always ask the database. Staff
   * JWTs are verified every time (their signature and age are the check); only the principal
   * they are linked to is cached, and dropped like any other on revocation.
   */
  authenticateCached(token: string): AuthenticatedPrincipal | null | Promise<AuthenticatedPrincipal | null> {
    if (this.oidc && looksLikeJwt(token)) return this.staff(token, true);
    if (!looksLikeToken(token)) return null;
    const hash = hashToken(token);
    const hit = this.cache.lookup(hash);
    // A token past its end is refused from memory too (the database function refuses it as well).
    if (hit) return hit.expiresAt !== undefined && hit.expiresAt <= Date.now() ? null : hit;
    return this.lookUpAndKeep(hash, () => this.byHash(hash));
  }

  private async lookUpAndKeep(key: string, find: () => Promise<AuthenticatedPrincipal | null>): Promise<AuthenticatedPrincipal | null> {
    const generation = this.cache.generation;
    const principal = await find();
    if (principal) this.cache.store(key, principal, generation);
    return principal;
  }

  private async byHash(hash: string): Promise<AuthenticatedPrincipal | null> {
    const rows = await this.prisma.$queryRaw<(PrincipalRow & { token_hash: string })[]>`SELECT * FROM cloison_authenticate(${hash})`;
    const row = rows[0];
    // The index lookup already matched; the constant-time compare keeps the check honest
    // should the lookup ever become a prefix or range match.
    if (!row || !sameHash(row.token_hash, hash)) return null;
    return toPrincipal(row);
  }

  private async byLink(c: StaffClaims): Promise<AuthenticatedPrincipal | null> {
    const rows = await this.prisma.$queryRaw<PrincipalRow[]>`SELECT * FROM cloison_authenticate_oidc(${c.issuer}, ${c.subject})`;
    return toPrincipal(rows[0]);
  }

  private async staff(token: string, cached: boolean): Promise<AuthenticatedPrincipal | null> {
    const claims = await (this.oidc as OidcVerifier).verify(token);
    if (!claims) return null;
    const key = linkKey(claims);
    const principal = cached
      ? (this.cache.lookup(key) ?? (await this.lookUpAndKeep(key, () => this.byLink(claims))))
      : await this.byLink(claims);
    // Role and tenant claims grant nothing; present, they must agree with the registration.
    if (!principal) return null;
    if (claims.role !== undefined && claims.role !== principal.role) return null;
    if (claims.tenantSlug !== undefined && claims.tenantSlug !== principal.tenantSlug) return null;
    return principal;
  }
}
