import { ConflictException, ForbiddenException, Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual, type JsonWebKey } from 'node:crypto';
import { generateRegistrationOptions, verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { AuditRecorder } from '#audit';
import { jwkFingerprint, parsePublicKey, publicKeyFingerprint } from '#audit-format';
// The file, not the index: #http's index reaches #policy, which reaches back into this library.
import { isUniqueViolation } from '#http/database-errors';
import type { PrismaTx } from '#persistence';
import { actorOf, TenantScopeService, type AuthenticatedPrincipal, type TenantScope } from '#tenancy';
import { clientConsentNeeded } from './client-admins.reader.js';
import { coseToJwk } from './cose-key.js';

/** Where passkey ceremonies happen, and the secret that binds a registration challenge to its principal. */
export const CREDENTIAL_SETTINGS = Symbol('CREDENTIAL_SETTINGS');
export interface CredentialSettings {
  rpId: string;
  origins: string[];
  /** HMAC key of registration challenges (derived from the service key: every instance shares it). */
  challengeKey: Buffer;
}

export type NewCredential =
  | { kind: 'ed25519'; publicKey: string; label: string }
  | { kind: 'webauthn'; response: RegistrationResponseJSON; label: string };

export interface CredentialView {
  fingerprint: string;
  kind: string;
  label: string;
  credentialId: string | null;
  createdAt: string;
}

const CHALLENGE_TTL_MS = 5 * 60 * 1000;
const SIGNING_ROLES = ['operator', 'client_admin'];

/**
 * The keys people sign approvals with. A principal enrols and removes its own keys; each change
 * is audited with the public key in the principal's tenant chain (the global chain for operators),
 * which is what offline verification checks later signatures against.
 */
@Injectable()
export class Credentials {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
    @Inject(CREDENTIAL_SETTINGS) private readonly settings: CredentialSettings,
  ) {}

  /** Options for navigator.credentials.create(); the challenge is bound to this principal for five minutes. */
  async registrationOptions(me: AuthenticatedPrincipal) {
    this.assertSigner(me);
    const existing = await this.scopes.runRead(scopeOf(me), (tx) =>
      tx.credential.findMany({ where: { principalId: me.id, removedAt: null, kind: 'webauthn' } }),
    );
    return generateRegistrationOptions({
      rpName: 'Cloison',
      rpID: this.settings.rpId,
      userName: me.name,
      userID: Buffer.from(me.id, 'utf8'),
      challenge: new Uint8Array(Buffer.from(this.challenge(me.id, Date.now() + CHALLENGE_TTL_MS), 'base64url')),
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.webauthnId as string })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
    });
  }

  async enrol(me: AuthenticatedPrincipal, body: NewCredential, requestId: string): Promise<CredentialView> {
    this.assertSigner(me);
    const key = body.kind === 'ed25519' ? ed25519Key(body.publicKey) : await this.passkey(me, body.response);
    const enrolment = this.scopes.run(scopeOf(me), async (tx) => {
      if (me.tenantId) await this.assertConsent(tx, me);
      if (await tx.credential.findUnique({ where: { fingerprint: key.fingerprint } })) throw alreadyEnrolled();
      const now = new Date();
      const row = await tx.credential.create({
        data: {
          fingerprint: key.fingerprint,
          principalId: me.id,
          tenantId: me.tenantId,
          kind: body.kind,
          label: body.label,
          publicKeyJwk: key.jwk as object,
          webauthnId: key.credentialId ?? null,
          coseKey: key.coseKey ?? null,
          counter: BigInt(key.counter ?? 0),
          rpId: key.credentialId ? this.settings.rpId : null,
          createdAt: now,
        },
      });
      await this.audit.record(tx, {
        actor: actorOf({ principal: me, requestId }),
        action: 'credential.enrolled',
        tenantId: me.tenantId,
        after: {
          principal: me.id,
          kind: body.kind,
          label: body.label,
          fingerprint: key.fingerprint,
          publicKeyJwk: key.jwk,
          ...(key.credentialId ? { credentialId: key.credentialId, rpId: this.settings.rpId } : {}),
        },
        requestId,
        at: now,
      });
      return view(row);
    });
    // A key is enrolled once across all tenants, but the check above sees only the caller's: a key
    // held in another tenant (or by an operator) is refused by the primary key instead, with the same
    // answer, so that it tells nothing of its holder. The transaction has rolled back: nothing is written.
    return enrolment.catch((err: unknown) => {
      throw isUniqueViolation(err) ? alreadyEnrolled() : err;
    });
  }

  list(me: AuthenticatedPrincipal): Promise<CredentialView[]> {
    return this.scopes.runRead(scopeOf(me), async (tx) => {
      const rows = await tx.credential.findMany({ where: { principalId: me.id, removedAt: null }, orderBy: { createdAt: 'asc' } });
      return rows.map(view);
    });
  }

  remove(me: AuthenticatedPrincipal, fingerprint: string, requestId: string): Promise<CredentialView> {
    const work = async (tx: PrismaTx, enter?: (tenantId: string) => Promise<void>) => {
      const row = await tx.credential.findFirst({ where: { fingerprint, principalId: me.id, removedAt: null } });
      if (!row) throw new NotFoundException(`credential "${fingerprint}" not found`);
      if (me.tenantId) await this.assertConsent(tx, me);
      const now = new Date();
      await tx.credential.update({ where: { fingerprint }, data: { removedAt: now } });
      const removal = {
        actor: actorOf({ principal: me, requestId }),
        action: 'credential.removed' as const,
        after: { principal: me.id, fingerprint },
      };
      await this.audit.record(tx, { ...removal, tenantId: me.tenantId, requestId, at: now });
      // An operator's key is also known to the chains of the tenants it signed for (credential.introduced):
      // each learns of the removal, so that a tenant's export alone refuses a later signature by it.
      if (enter) {
        for (const tenantId of await this.introducedIn(tx, fingerprint)) {
          await enter(tenantId);
          await this.audit.record(tx, { ...removal, tenantId, requestId, at: now });
        }
      }
      return view(row);
    };
    // An operator's keys span tenants: one unit of work over the tenants' chains, each written in its own scope.
    return me.tenantId ? this.scopes.run(scopeOf(me), (tx) => work(tx)) : this.scopes.runMaintenance(work);
  }

  /** The tenants whose chain an operator's key was introduced into (see ApprovalSignatures). */
  private async introducedIn(tx: PrismaTx, fingerprint: string): Promise<string[]> {
    const rows = await tx.$queryRaw<{ tenant_id: string }[]>`
      SELECT DISTINCT tenant_id::text AS tenant_id FROM audit_events
       WHERE action = 'credential.introduced' AND after->>'fingerprint' = ${fingerprint} ORDER BY 1`;
    return rows.map((r) => r.tenant_id);
  }

  private assertSigner(me: AuthenticatedPrincipal): void {
    if (!SIGNING_ROLES.includes(me.role)) {
      throw new ForbiddenException({
        message: 'only operators and client admins approve, so only they enrol signing keys',
        details: [{ pointer: '/', rule: 'signing_role', message: me.role }],
      });
    }
  }

  /** The rule that guards a tenant's client admins guards the keys they consent with. */
  private async assertConsent(tx: PrismaTx, me: AuthenticatedPrincipal): Promise<void> {
    if (me.tenantId && (await clientConsentNeeded(tx, me, me.tenantId))) {
      throw new ForbiddenException({
        message: 'a key that acts for the tenant is enrolled by its own client admin',
        details: [{ pointer: '/', rule: 'client_consent', message: me.role }],
      });
    }
  }

  private challenge(principalId: string, expires: number): string {
    const body = Buffer.concat([randomBytes(16), Buffer.from(expires.toString(16).padStart(16, '0'), 'hex')]);
    return Buffer.concat([body, this.mac(principalId, body)]).toString('base64url');
  }

  private challengeValid(principalId: string, challenge: string): boolean {
    const raw = Buffer.from(challenge, 'base64url');
    if (raw.length !== 40) return false;
    const body = raw.subarray(0, 24);
    const expires = parseInt(body.subarray(16).toString('hex'), 16);
    return timingSafeEqual(raw.subarray(24), this.mac(principalId, body)) && expires > Date.now();
  }

  private mac(principalId: string, body: Buffer): Buffer {
    return createHmac('sha256', this.settings.challengeKey).update(principalId).update(body).digest().subarray(0, 16);
  }

  private async passkey(me: AuthenticatedPrincipal, response: RegistrationResponseJSON) {
    let verified;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: (c) => this.challengeValid(me.id, c),
        expectedOrigin: this.settings.origins,
        expectedRPID: this.settings.rpId,
        requireUserVerification: true,
      });
    } catch (err) {
      throw invalidKey('/response', `the passkey registration does not verify: ${(err as Error).message}`);
    }
    if (!verified.verified) throw invalidKey('/response', 'the passkey registration does not verify');
    const c = verified.registrationInfo.credential;
    const jwk = coseToJwk(c.publicKey);
    return {
      fingerprint: jwkFingerprint(jwk),
      jwk,
      credentialId: c.id,
      coseKey: Buffer.from(c.publicKey).toString('base64url'),
      counter: c.counter,
    };
  }
}

function ed25519Key(text: string): { fingerprint: string; jwk: JsonWebKey; credentialId?: string; coseKey?: string; counter?: number } {
  let key;
  try {
    key = parsePublicKey(text);
  } catch (err) {
    throw invalidKey('/publicKey', `not a public key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw invalidKey('/publicKey', `an Ed25519 key is expected, not ${key.asymmetricKeyType}`);
  return { fingerprint: publicKeyFingerprint(key), jwk: key.export({ format: 'jwk' }) };
}

const alreadyEnrolled = () =>
  new ConflictException({
    message: 'this key is already enrolled',
    details: [{ pointer: '/publicKey', rule: 'unique', message: 'already enrolled' }],
  });

const invalidKey = (pointer: string, message: string) =>
  new UnprocessableEntityException({ message, details: [{ pointer, rule: 'valid_key', message }] });

export const scopeOf = (me: { tenantId: string | null }): TenantScope => (me.tenantId ? { tenantId: me.tenantId } : 'all-tenants');

function view(r: { fingerprint: string; kind: string; label: string; webauthnId: string | null; createdAt: Date }): CredentialView {
  return { fingerprint: r.fingerprint, kind: r.kind, label: r.label, credentialId: r.webauthnId, createdAt: r.createdAt.toISOString() };
}
