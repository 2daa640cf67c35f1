import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import {
  CHECKPOINT_SCHEMA,
  ChainVerifier,
  GLOBAL_CHAIN,
  checkpointLine,
  csvCheckpointRow,
  csvEventRow,
  csvHeader,
  endLine,
  eventLine,
  exportHeader,
  type Checkpoint,
  type VerifyResult,
} from '#audit-format';
import { AuditCheckpointer } from './audit.checkpointer.js';
import { AuditSigner } from './audit.signer.js';
import { ServiceKeys } from './service-keys.js';
import { STRING, arrayOf, objectOf, oneOfStrings } from '#registry';
import type { PolicyContext } from '#policy';
import { TenantScopeService, type TenantRef } from '#tenancy';
import { chainEnd, readChain, type ChainRef } from './audit-chain.reader.js';

export interface PublicKeyView {
  algorithm: 'Ed25519';
  /** SPKI, PEM. */
  publicKey: string;
  /** SPKI, base64 of the DER (what `cloison audit verify --public-key` accepts too). */
  publicKeyBase64: string;
  fingerprint: string;
}

export const PUBLIC_KEY_VIEW_SCHEMA = objectOf({
  algorithm: oneOfStrings(['Ed25519']),
  publicKey: STRING,
  publicKeyBase64: STRING,
  fingerprint: STRING,
});

export const CHECKPOINTS_SCHEMA = objectOf({ checkpoints: arrayOf(CHECKPOINT_SCHEMA) });

export type ExportFormat = 'jsonl' | 'csv';

/** Verification, export and checkpoints of the hash-chained audit log. */
@Injectable()
export class AuditChainService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(AuditSigner) private readonly signer: AuditSigner,
    @Inject(AuditCheckpointer) private readonly checkpointer: AuditCheckpointer,
    @Inject(ServiceKeys) private readonly keys: ServiceKeys,
  ) {}

  publicKey(): PublicKeyView {
    return {
      algorithm: 'Ed25519',
      publicKey: this.signer.publicKeyPem(),
      publicKeyBase64: this.signer.publicKeyBase64(),
      fingerprint: this.signer.fingerprint,
    };
  }

  async checkpoint(): Promise<{ checkpoints: Checkpoint[] }> {
    return { checkpoints: await this.checkpointer.flush() };
  }

  /** Recomputes the chain (global, or the path's tenant) from the rows, streaming. */
  async verify(ctx: PolicyContext): Promise<VerifyResult> {
    const ref = chainOf(ctx.tenant);
    const upTo = await this.settle(ref);
    const verifier = new ChainVerifier({
      mode: ref.chain === GLOBAL_CHAIN ? 'global' : 'tenant',
      chain: ref.chain,
      publicKey: this.signer.publicKey,
      rotations: await this.keys.rotations(),
    });
    for await (const item of readChain(this.scopes, ref, upTo)) {
      if (item.kind === 'event') verifier.event(item.event);
      else verifier.checkpoint(item.checkpoint);
      if (verifier.broken) break;
    }
    return verifier.finish();
  }

  /** JSON Lines (header, events with their checkpoints, end line) or CSV, streamed. */
  async export(ctx: PolicyContext, format: ExportFormat): Promise<Readable> {
    const ref = chainOf(ctx.tenant);
    const upTo = await this.settle(ref);
    const scope = ctx.tenant ? 'tenant' : 'global';
    const tenant = ctx.tenant ? { id: ctx.tenant.id, slug: ctx.tenant.slug } : null;
    const header = exportHeader(scope, tenant, this.signer.fingerprint, await this.keys.rotations());
    const scopes = this.scopes;
    async function* lines(): AsyncGenerator<string> {
      let events = 0;
      let checkpoints = 0;
      yield format === 'csv' ? csvHeader() : `${JSON.stringify(header)}\n`;
      for await (const item of readChain(scopes, ref, upTo)) {
        if (item.kind === 'event') {
          events++;
          yield format === 'csv' ? csvEventRow(item.event, scope) : eventLine(item.event, scope);
        } else {
          checkpoints++;
          yield format === 'csv' ? csvCheckpointRow(item.checkpoint, scope) : checkpointLine(item.checkpoint);
        }
      }
      if (format === 'jsonl') yield endLine(events, checkpoints);
    }
    return Readable.from(lines());
  }

  /**
   * Fixes how far to read: every event present now (so nothing slipped in unsigned escapes),
   * and whatever the checkpoint signed right after covers; later events wait for the next run.
   */
  private async settle(ref: ChainRef): Promise<number> {
    const before = await chainEnd(this.scopes, ref);
    await this.checkpointer.flush();
    const after = await chainEnd(this.scopes, ref);
    return Math.max(before.events, after.checkpoints);
  }
}

function chainOf(tenant: TenantRef | undefined): ChainRef {
  return tenant ? { chain: tenant.id, tenantId: tenant.id } : { chain: GLOBAL_CHAIN };
}
