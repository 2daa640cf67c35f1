import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditRecorder } from '#audit';
import type { PrismaTx } from '#persistence';
import type { Actor, Role } from '#tenancy';
import { generateToken, hashToken } from './token.js';
import { ROLES } from '#tenancy';
import { DATE_TIME, STRING, UUID, nullable, objectOf, oneOfStrings } from '#registry';

export interface NewPrincipal {
  name: string;
  role: Role;
  tenant: { id: string; slug: string } | null;
  /** Chosen token (bootstrap only); otherwise a random one is generated. */
  token?: string;
  /** A person signing in with JWTs from this issuer and subject: no Cloison token is issued. */
  oidc?: { issuer: string; subject: string };
  /**
   * The person who holds the token: 'own' when it goes to someone other than its creator
   * (bootstrap, an invitation delivered by mail), else the creator's lineage id.
   */
  lineage: 'own' | string;
  email?: string;
  invitedBy?: string;
  /** Who made it, when not the actor recording it (a request approved by someone else). */
  createdById?: string;
  /** When its token stops working; undefined = never. */
  tokenExpiresAt?: Date;
}

export const ISSUED_PRINCIPAL_SCHEMA = objectOf(
  {
    id: UUID,
    name: STRING,
    role: oneOfStrings(ROLES),
    tenant: nullable(STRING),
    createdAt: DATE_TIME,
    lineageId: STRING,
    oidc: objectOf({ issuer: STRING, subject: STRING }),
    token: STRING,
    tokenExpiresAt: DATE_TIME,
  },
  ['oidc', 'token', 'tokenExpiresAt'],
);

export interface IssuedPrincipal {
  id: string;
  name: string;
  role: Role;
  tenant: string | null;
  createdAt: string;
  lineageId: string;
  /** The identity-provider account this principal signs in with, if any. */
  oidc?: { issuer: string; subject: string };
  /** Returned once, never stored: only its hash is. Absent for a principal linked through `oidc`. */
  token?: string;
  tokenExpiresAt?: string;
}

/** Creates a principal and its audit event in the caller's transaction. */
@Injectable()
export class PrincipalIssuer {
  constructor(@Inject(AuditRecorder) private readonly audit: AuditRecorder) {}

  async issue(tx: PrismaTx, p: NewPrincipal, actor: Actor, requestId?: string): Promise<IssuedPrincipal> {
    const token = p.oidc ? undefined : (p.token ?? generateToken());
    const id = randomUUID();
    const lineageId = p.lineage === 'own' ? id : p.lineage;
    const row = await tx.principal.create({
      data: {
        id,
        name: p.name,
        role: p.role,
        tenantId: p.tenant?.id ?? null,
        tokenHash: token === undefined ? null : hashToken(token),
        oidcIssuer: p.oidc?.issuer ?? null,
        oidcSubject: p.oidc?.subject ?? null,
        createdById: p.createdById ?? actor.id,
        lineageId,
        email: p.email ?? null,
        invitedBy: p.invitedBy ?? null,
        tokenExpiresAt: p.tokenExpiresAt ?? null,
      },
    });
    const view = {
      id: row.id,
      name: row.name,
      role: p.role,
      tenant: p.tenant?.slug ?? null,
      createdAt: row.createdAt.toISOString(),
      lineageId,
      createdById: row.createdById as string,
      ...(p.email ? { email: p.email } : {}),
      ...(p.oidc ? { oidc: { issuer: p.oidc.issuer, subject: p.oidc.subject } } : {}),
      ...(p.tokenExpiresAt ? { tokenExpiresAt: p.tokenExpiresAt.toISOString() } : {}),
    };
    await this.audit.record(tx, {
      actor,
      action: 'principal.created',
      tenantId: p.tenant?.id ?? null,
      after: view,
      requestId,
      at: row.createdAt,
    });
    const issued = {
      id: view.id,
      name: view.name,
      role: p.role,
      tenant: view.tenant,
      createdAt: view.createdAt,
      lineageId,
      ...(view.oidc ? { oidc: view.oidc } : {}),
      ...(view.tokenExpiresAt ? { tokenExpiresAt: view.tokenExpiresAt } : {}),
    };
    return token === undefined ? issued : { ...issued, token };
  }
}
