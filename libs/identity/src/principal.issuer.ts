import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditRecorder } from '../../audit/src/index.js';
import type { PrismaTx } from '../../persistence/src/index.js';
import type { Actor, Role } from '../../tenancy/src/index.js';
import { generateToken, hashToken } from './token.js';

export interface NewPrincipal {
  name: string;
  role: Role;
  tenant: { id: string; slug: string } | null;
  /** Chosen token (bootstrap only); otherwise a random one is generated. */
  token?: string;
  /** A person signing in with JWTs from this issuer and subject: no Cloison token is issued. */
  oidc?: { issuer: string; subject: string };
}

export interface IssuedPrincipal {
  id: string;
  name: string;
  role: Role;
  tenant: string | null;
  createdAt: string;
  /** The identity-provider account this principal signs in with, if any. */
  oidc?: { issuer: string; subject: string };
  /** Returned once, never stored: only its hash is. Absent for a principal linked through `oidc`. */
  token?: string;
}

/** Creates a principal and its audit event in the caller's transaction. */
@Injectable()
export class PrincipalIssuer {
  constructor(@Inject(AuditRecorder) private readonly audit: AuditRecorder) {}

  async issue(tx: PrismaTx, p: NewPrincipal, actor: Actor, requestId?: string): Promise<IssuedPrincipal> {
    const token = p.oidc ? undefined : (p.token ?? generateToken());
    const row = await tx.principal.create({
      data: {
        id: randomUUID(),
        name: p.name,
        role: p.role,
        tenantId: p.tenant?.id ?? null,
        tokenHash: token === undefined ? null : hashToken(token),
        oidcIssuer: p.oidc?.issuer ?? null,
        oidcSubject: p.oidc?.subject ?? null,
      },
    });
    const view = {
      id: row.id,
      name: row.name,
      role: p.role,
      tenant: p.tenant?.slug ?? null,
      createdAt: row.createdAt.toISOString(),
      ...(p.oidc ? { oidc: { issuer: p.oidc.issuer, subject: p.oidc.subject } } : {}),
    };
    await this.audit.record(tx, {
      actor,
      action: 'principal.created',
      tenantId: p.tenant?.id ?? null,
      after: view,
      requestId,
      at: row.createdAt,
    });
    return token === undefined ? view : { ...view, token };
  }
}
