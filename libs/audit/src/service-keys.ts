import type { KeyObject } from 'node:crypto';
import type { OnModuleInit } from '@nestjs/common';
import type { PrismaTx } from '#persistence';
import { SYSTEM_ACTOR, type TenantScopeService } from '#tenancy';
import type { AuditRecorder } from './audit.recorder.js';
import type { AuditSigner } from './audit.signer.js';
import { derivePublicKey, publicKeyFingerprint } from '#audit-format';
import { signRotation, type KeyRotation } from '#audit-format';

/** Arbitrary key of the lock that keeps two instances from publishing keys at the same time. */
const PUBLISH_LOCK = 0x636b6579;

/** An instance whose signing key is not the one published in the database: it must not start. */
export class SigningKeyMismatchError extends Error {
  constructor(mine: string, published: string, previous?: string) {
    const why = previous
      ? `CLOISON_AUDIT_PREVIOUS_SIGNING_KEY (${previous}) is not the published key either`
      : 'another CLOISON_SECRETS_DIR or CLOISON_AUDIT_SIGNING_KEY?';
    super(
      `audit signing key ${mine} differs from the key published in the database, ${published} (${why}); ` +
        'start with the published key, or rotate to this one by setting CLOISON_AUDIT_PREVIOUS_SIGNING_KEY to the published private key (docs/audit.md, "Rotating the signing key")',
    );
    this.name = 'SigningKeyMismatchError';
  }
}

export interface ServiceKeyRow {
  seq: number;
  fingerprint: string;
  rotation: unknown;
}

/** The rotation statements on record, oldest first (what exports carry for offline verification). */
export async function readKeyRotations(tx: PrismaTx): Promise<KeyRotation[]> {
  const rows = await tx.serviceKey.findMany({ where: { seq: { gt: 1 } }, orderBy: { seq: 'asc' }, select: { rotation: true } });
  return rows.map((r) => r.rotation as unknown as KeyRotation);
}

/**
 * At boot, makes sure every instance signs with the one published key: the first instance on a
 * database publishes its public key (audited); a later one with another key refuses to start,
 * unless it is given the published key as its previous key, in which case it records a rotation
 * statement signed by both keys (audited) and its key becomes the current one.
 */
export class ServiceKeys implements OnModuleInit {
  constructor(
    private readonly scopes: TenantScopeService,
    private readonly audit: AuditRecorder,
    private readonly signer: AuditSigner,
    private readonly privateKey: KeyObject,
    private readonly previousKey?: KeyObject,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.scopes.run('all-tenants', async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PUBLISH_LOCK})`;
      const current = await tx.serviceKey.findFirst({ orderBy: { seq: 'desc' } });
      if (!current) return this.publish(tx, 1, null);
      if (current.fingerprint === this.signer.fingerprint) return;
      const previous = this.previousKey ? publicKeyFingerprint(derivePublicKey(this.previousKey)) : undefined;
      if (!this.previousKey || previous !== current.fingerprint) {
        throw new SigningKeyMismatchError(this.signer.fingerprint, current.fingerprint, previous);
      }
      return this.publish(tx, current.seq + 1, signRotation(this.previousKey, this.privateKey));
    });
  }

  /** Rotations on record, read each time: another instance may have rotated since this one started. */
  rotations(): Promise<KeyRotation[]> {
    return this.scopes.runRead('all-tenants', readKeyRotations);
  }

  private async publish(tx: PrismaTx, seq: number, rotation: KeyRotation | null): Promise<void> {
    const at = new Date();
    const publicKey = this.signer.publicKeyBase64();
    await tx.serviceKey.create({
      data: { seq, fingerprint: this.signer.fingerprint, publicKey, publishedAt: at, ...(rotation ? { rotation: { ...rotation } } : {}) },
    });
    await this.audit.record(tx, {
      actor: SYSTEM_ACTOR,
      action: rotation ? 'audit.key_rotated' : 'audit.key_published',
      tenantId: null,
      after: rotation ?? { fingerprint: this.signer.fingerprint, publicKey },
      at,
    });
  }
}
