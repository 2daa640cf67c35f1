import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../../persistence/src/index.js';
import { ROLES, type AuthenticatedPrincipal, type Role } from '../../tenancy/src/index.js';
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

  /** The live principal holding `token`, or null. Revoked principals are never returned. */
  async authenticate(token: string): Promise<AuthenticatedPrincipal | null> {
    if (!looksLikeToken(token)) return null;
    const hash = hashToken(token);
    const rows = await this.prisma.$queryRaw<PrincipalRow[]>`SELECT * FROM cloison_authenticate(${hash})`;
    const row = rows[0];
    // The index lookup already matched; the constant-time compare keeps the check honest
    // should the lookup ever become a prefix or range match.
    if (!row || !sameHash(row.token_hash, hash) || !ROLES.includes(row.role as Role)) return null;
    return { id: row.id, name: row.name, role: row.role as Role, tenantId: row.tenant_id, tenantSlug: row.tenant_slug };
  }
}
