import { Inject, Injectable, Optional } from '@nestjs/common';
import { PrismaService } from '../../persistence/src/index.js';
import { ROLES, type AuthenticatedPrincipal, type Role } from '../../tenancy/src/index.js';
import { OIDC_SETTINGS, OidcVerifier, looksLikeJwt, staffPrincipalId, type OidcSettings } from './oidc.verifier.js';
import { PrincipalCache } from './principal.cache.js';
import { hashToken, looksLikeToken, sameHash } from './token.js';

interface PrincipalRow {
  id: string;
  name: string;
  role: string;
  tenant_id: string | null;
  tenant_slug: string | null;
  token_hash: string;
}

/**
 * Who holds a bearer token: an opaque Cloison token (services, scripts, the bootstrap
 * operator) looked up by hash, or — when an issuer is configured — a staff JWT.
 */
@Injectable()
export class Authenticator {
  private readonly oidc?: OidcVerifier;

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Optional() @Inject(OIDC_SETTINGS) oidc?: OidcSettings | null,
  ) {
    if (oidc) this.oidc = new OidcVerifier(oidc);
  }

  /** Principals seen on hot-path routes; invalidated by the evaluation change listener. */
  readonly cache = new PrincipalCache();

  /** The live principal holding `token`, or null. Revoked principals are never returned. */
  async authenticate(token: string): Promise<AuthenticatedPrincipal | null> {
    if (this.oidc && looksLikeJwt(token)) return this.staff(token);
    if (!looksLikeToken(token)) return null;
    return this.byHash(hashToken(token));
  }

  /**
   * Same answer as `authenticate`, served from memory when warm, and then synchronously (this is
   * the evaluation hot path). Unknown tokens are not cached: they always ask the database. Staff
   * JWTs are verified every time (their signature and expiry are the check).
   */
  authenticateCached(token: string): AuthenticatedPrincipal | null | Promise<AuthenticatedPrincipal | null> {
    if (this.oidc && looksLikeJwt(token)) return this.staff(token);
    if (!looksLikeToken(token)) return null;
    const hash = hashToken(token);
    return this.cache.lookup(hash) ?? this.lookUpAndKeep(hash);
  }

  private async lookUpAndKeep(hash: string): Promise<AuthenticatedPrincipal | null> {
    const generation = this.cache.generation;
    const principal = await this.byHash(hash);
    if (principal) this.cache.store(hash, principal, generation);
    return principal;
  }

  private async byHash(hash: string): Promise<AuthenticatedPrincipal | null> {
    const rows = await this.prisma.$queryRaw<PrincipalRow[]>`SELECT * FROM cloison_authenticate(${hash})`;
    const row = rows[0];
    // The index lookup already matched; the constant-time compare keeps the check honest
    // should the lookup ever become a prefix or range match.
    if (!row || !sameHash(row.token_hash, hash) || !ROLES.includes(row.role as Role)) return null;
    return { id: row.id, name: row.name, role: row.role as Role, tenantId: row.tenant_id, tenantSlug: row.tenant_slug };
  }

  private async staff(token: string): Promise<AuthenticatedPrincipal | null> {
    const claims = await (this.oidc as OidcVerifier).verify(token);
    if (!claims) return null;
    let tenantId: string | null = null;
    if (claims.tenantSlug !== null) {
      // Before any tenant is known: like cloison_authenticate, a lookup of exactly one tenant.
      const rows = await this.prisma.$queryRaw<{ id: string }[]>`SELECT id FROM cloison_tenant_by_slug(${claims.tenantSlug})`;
      if (!rows[0]) return null;
      tenantId = rows[0].id;
    }
    return {
      id: staffPrincipalId(claims.issuer, claims.subject),
      name: claims.name,
      role: claims.role,
      tenantId,
      tenantSlug: claims.tenantSlug,
    };
  }
}
