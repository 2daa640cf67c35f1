import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import {
  CHECKPOINT_SCHEMA,
  ChainVerifier,
  GLOBAL_CHAIN,
  OptionReplay,
  rowWrite,
  stateLine,
  checkpointLine,
  csvCheckpointRow,
  csvEventRow,
  csvHeader,
  endLine,
  eventLine,
  exportHeader,
  type Checkpoint,
  type TenantState,
  type VerifyResult,
} from '#audit-format';
import { AuditCheckpointer } from './audit.checkpointer.js';
import { AuditSigner } from './audit.signer.js';
import { ServiceKeys } from './service-keys.js';
import { STRING, arrayOf, objectOf, oneOfStrings } from '#registry';
import type { PolicyContext } from '#policy';
import { TenantScopeService, type TenantRef } from '#tenancy';
import { chainEnd, readChain, type ChainRef } from './audit-chain.reader.js';
import { readStates, statePlacement } from './option-state.reader.js';

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

  /**
   * Recomputes the chain (global, or the path's tenant) from the rows, streaming, and compares
   * each tenant's stored option values with what its chain implies, at the event they follow.
   */
  async verify(ctx: PolicyContext): Promise<VerifyResult> {
    const ref = chainOf(ctx.tenant);
    // Read first: the settled end of the chain then reaches the events the rows follow.
    const place = statePlacement(await readStates(this.scopes, ref));
    const upTo = await this.settle(ref);
    const verifier = new ChainVerifier({
      mode: ref.chain === GLOBAL_CHAIN ? 'global' : 'tenant',
      chain: ref.chain,
      publicKey: this.signer.publicKey,
      rotations: await this.keys.rotations(),
    });
    const replay = new OptionReplay();
    const compare = (s: TenantState | undefined) => s && replay.check(s, verifier.headSeq);
    for (const s of place.first) compare(s);
    for await (const item of readChain(this.scopes, ref, upTo)) {
      if (verifier.broken) break;
      if (item.kind === 'checkpoint') {
        verifier.checkpoint(item.checkpoint);
        continue;
      }
      const e = item.event;
      verifier.event(e);
      if (verifier.broken || e.tenantId === null) continue;
      replay.event(e.tenantId, rowWrite(e.action, e.option, e.after));
      compare(place.after(e));
    }
    return replay.outcome(verifier.finish());
  }

  /** JSON Lines (header, events with their checkpoints, end line) or CSV, streamed. */
  async export(ctx: PolicyContext, format: ExportFormat): Promise<Readable> {
    const ref = chainOf(ctx.tenant);
    // As for verify: the rows first, each placed after the event it follows.
    const place = format === 'jsonl' ? statePlacement(await readStates(this.scopes, ref)) : null;
    const upTo = await this.settle(ref);
    const scope = ctx.tenant ? 'tenant' : 'global';
    const tenant = ctx.tenant ? { id: ctx.tenant.id, slug: ctx.tenant.slug } : null;
    const header = exportHeader(scope, tenant, this.signer.fingerprint, await this.keys.rotations());
    const scopes = this.scopes;
    async function* lines(): AsyncGenerator<string> {
      let events = 0;
      let checkpoints = 0;
      yield format === 'csv' ? csvHeader() : `${JSON.stringify(header)}\n`;
      for (const s of place?.first ?? []) yield stateLine(s);
      for await (const item of readChain(scopes, ref, upTo)) {
        if (item.kind === 'event') {
          events++;
          yield format === 'csv' ? csvEventRow(item.event, scope) : eventLine(item.event, scope);
          const s = place?.after(item.event);
          if (s) yield stateLine(s);
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
