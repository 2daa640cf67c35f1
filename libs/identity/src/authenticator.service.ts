import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../../persistence/src/index.js';
import { ROLES, type AuthenticatedPrincipal, type Role } from '../../tenancy/src/index.js';
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

@Injectable()
export class Authenticator {
  constructor(@Inject(PrismaService) private readonly prisma: PrismaService) {}

  /** Principals seen on hot-path routes; invalidated by the evaluation change listener. */
  readonly cache = new PrincipalCache();

  /** The live principal holding `token`, or null. Revoked principals are never returned. */
  async authenticate(token: string): Promise<AuthenticatedPrincipal | null> {
    if (!looksLikeToken(token)) return null;
    return this.byHash(hashToken(token));
  }

  /**
   * Same answer as `authenticate`, served from memory when warm. Unknown tokens are not cached:
   * they always ask the database.
   */
  async authenticateCached(token: string): Promise<AuthenticatedPrincipal | null> {
    if (!looksLikeToken(token)) return null;
    const hash = hashToken(token);
    const hit = this.cache.lookup(hash);
    if (hit) return hit;
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
}
