import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH, contentHash, linkHash, type ChainedEvent } from './audit.chain.js';
import { checkpointSignatureValid, publicKeyFingerprint, type Checkpoint } from './audit.signing.js';
import { trustedKeys, type KeyRotation } from './key-rotation.js';
import { LINK_OK, LINK_UNKNOWN, type EventDigest, type LinkCheck } from './export.digest.js';
import type { OptionDifference } from './option-replay.js';

export interface VerifyResult {
  ok: boolean;
  /** Events examined (up to and including the first broken one). */
  checked: number;
  /** Sequence number (of the verified chain) of the first event that fails, else null. */
  firstBrokenSeq: number | null;
  reason: string | null;
  /** Line of the export where the failure was found (offline verification only). */
  line?: number;
  /** Tenants whose stored option values were compared with what their chain implies. */
  valuesChecked?: number;
  /** The first stored option value that differs from what its tenant's chain implies (the failure). */
  valueDifference?: OptionDifference;
}

const STORED_ROW_SCHEMA = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['version', 'value', 'isSet'],
  properties: { version: { type: 'integer' }, value: {}, isSet: { type: 'boolean' } },
} as const;

export const VERIFY_RESULT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'checked', 'firstBrokenSeq', 'reason'],
  properties: {
    ok: { type: 'boolean' },
    checked: { type: 'integer' },
    firstBrokenSeq: { type: ['integer', 'null'] },
    reason: { type: ['string', 'null'] },
    line: { type: 'integer' },
    valuesChecked: { type: 'integer' },
    valueDifference: {
      type: 'object',
      additionalProperties: false,
      required: ['tenantId', 'option', 'stored', 'expected'],
      properties: { tenantId: { type: 'string' }, option: { type: 'string' }, stored: STORED_ROW_SCHEMA, expected: STORED_ROW_SCHEMA },
    },
  },
} as const;

export interface ChainVerifierOptions {
  /** 'global': follow `seq`/`hash` (and every tenant chain along); 'tenant': follow `tenantSeq`/`tenantHash`. */
  mode: 'global' | 'tenant';
  /** 'global', or the tenant id whose chain is verified. */
  chain: string;
  publicKey: KeyObject;
  /** Rotation statements: checkpoints by a key linked to `publicKey` through them are accepted too. */
  rotations?: readonly KeyRotation[];
}

/** What the walk reads of an event besides its content. */
type ChainFields = Pick<ChainedEvent, 'seq' | 'tenantSeq' | 'tenantId' | 'hash'> & { tenantHash?: string | null; contentHash?: string };

function linked(ahead: LinkCheck, prev: string, h: string, stored: unknown): boolean {
  return ahead === LINK_UNKNOWN ? linkHash(prev, h) === stored : ahead === LINK_OK;
}

interface Head {
  seq: number;
  hash: string;
}

/**
 * Recomputes a chain event by event, in order, in constant memory (per-tenant heads aside):
 * content hashes, link hashes, dense sequence numbers, and signed checkpoints over the heads.
 * Every event must be covered by a valid checkpoint; the first failure is kept and the rest ignored.
 */
export class ChainVerifier {
  private head: Head = { seq: 0, hash: GENESIS_HASH };
  private readonly tenants = new Map<string, Head>();
  private readonly pending: Checkpoint[] = [];
  private covered = 0;
  private checked = 0;
  private failure: { seq: number; reason: string; line?: number } | null = null;
  private readonly fingerprint: string;
  private readonly keys: Map<string, KeyObject>;

  constructor(private readonly opts: ChainVerifierOptions) {
    this.fingerprint = publicKeyFingerprint(opts.publicKey);
    this.keys = trustedKeys(opts.publicKey, opts.rotations);
  }

  get broken(): boolean {
    return this.failure !== null;
  }

  /** Sequence number the next event must carry. */
  get nextSeq(): number {
    return this.head.seq + 1;
  }

  fail(seq: number, reason: string, line?: number): void {
    if (!this.failure) this.failure = { seq, reason, line };
  }

  /** Sequence number of the last event walked (0 before the first). */
  get headSeq(): number {
    return this.head.seq;
  }

  event(e: ChainedEvent, line?: number): void {
    this.walk(e, line);
  }

  /** An event whose content hash, and maybe links, were worked out ahead (see digestBatch). */
  digested(d: EventDigest, line?: number): void {
    this.walk(d, line, d);
  }

  /** With `ahead`, its results stand in for the hashing; every check, and its order, is the same. */
  private walk(e: ChainFields, line: number | undefined, ahead?: EventDigest): void {
    if (this.failure) return;
    this.checked++;
    const tenantMode = this.opts.mode === 'tenant';
    const seq = tenantMode ? e.tenantSeq : e.seq;
    const stored = tenantMode ? e.tenantHash : e.hash;
    const expected = this.head.seq + 1;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) return this.fail(expected, 'event has no sequence number', line);
    if (seq > expected) {
      const gap = seq - 1 > expected ? `events ${expected}..${seq - 1} are` : `event ${expected} is`;
      return this.fail(expected, `${gap} missing (the next event present is ${seq})`, line);
    }
    if (seq < expected) return this.fail(seq, `event ${seq} is out of order: it follows event ${expected - 1}`, line);
    if (tenantMode && e.tenantId !== this.opts.chain) return this.fail(seq, `event ${seq} belongs to another tenant`, line);
    const h = ahead ? ahead.contentHash : contentHash(e as ChainedEvent);
    if (ahead ? !ahead.contentMatches : h !== e.contentHash) {
      return this.fail(seq, `event ${seq} does not match its content hash: its content was altered`, line);
    }
    // A link checked ahead assumed the previous event's stored hash as the head: true once that event passed.
    if (!linked(ahead ? (tenantMode ? ahead.tenantLink : ahead.link) : LINK_UNKNOWN, this.head.hash, h, stored)) {
      return this.fail(seq, `event ${seq} does not chain from event ${seq - 1}: an event was altered, inserted, removed or moved`, line);
    }
    if (!tenantMode && !this.tenantLinkOk(e, seq, h, line, ahead?.tenantLink ?? LINK_UNKNOWN)) return;
    this.head = { seq, hash: stored as string };
    while (this.pending[0] && this.pending[0].seq === seq) this.compare(this.pending.shift() as Checkpoint, line);
  }

  /** In global mode every tenant chain is followed too (one head per tenant). */
  private tenantLinkOk(e: ChainFields, seq: number, h: string, line: number | undefined, ahead: LinkCheck): boolean {
    if (e.tenantId === null) {
      if (e.tenantSeq !== null || e.tenantHash !== null) this.fail(seq, `event ${seq} has no tenant but tenant chain fields`, line);
      return !this.failure;
    }
    const t = this.tenants.get(e.tenantId) ?? { seq: 0, hash: GENESIS_HASH };
    if (e.tenantSeq !== t.seq + 1) {
      this.fail(seq, `event ${seq} has tenant sequence ${e.tenantSeq}, expected ${t.seq + 1} in its tenant's chain`, line);
      return false;
    }
    if (!linked(ahead, t.hash, h, e.tenantHash)) {
      this.fail(seq, `event ${seq} does not chain from the previous event of its tenant`, line);
      return false;
    }
    this.tenants.set(e.tenantId, { seq: t.seq + 1, hash: e.tenantHash as string });
    return true;
  }

  checkpoint(c: Checkpoint, line?: number): void {
    if (this.failure) return;
    if (c.chain !== this.opts.chain) return this.fail(c.seq, `checkpoint at ${c.seq} is for another chain (${c.chain})`, line);
    const key = this.keys.get(c.key);
    if (!key) {
      return this.fail(c.seq, `checkpoint at ${c.seq} is signed by another key (${c.key}), not ${this.fingerprint}`, line);
    }
    if (!checkpointSignatureValid(c, key)) return this.fail(c.seq, `checkpoint at ${c.seq} has an invalid signature`, line);
    const last = this.pending[this.pending.length - 1]?.seq ?? this.covered;
    if (c.seq < last) return this.fail(c.seq, `checkpoint at ${c.seq} is out of order`, line);
    if (c.seq === this.head.seq) this.compare(c, line);
    else if (c.seq > this.head.seq) this.pending.push(c);
    else this.fail(c.seq, `checkpoint at ${c.seq} comes after later events`, line);
  }

  private compare(c: Checkpoint, line?: number): void {
    if (c.head !== this.head.hash) {
      const from = this.covered + 1;
      const range = from === c.seq ? `event ${c.seq} does` : `events ${from}..${c.seq} do`;
      return this.fail(from, `${range} not match the signed checkpoint at ${c.seq}: the log was rewritten`, line);
    }
    this.covered = c.seq;
  }

  finish(line?: number): VerifyResult {
    if (!this.failure) {
      const ahead = this.pending[0];
      const count = this.head.seq;
      if (ahead) {
        const range = count + 1 === ahead.seq ? `event ${ahead.seq} is` : `events ${count + 1}..${ahead.seq} are`;
        this.fail(count + 1, `${range} missing: the signed checkpoint at ${ahead.seq} covers them (log truncated)`, line);
      } else if (this.covered < count) {
        const range = this.covered + 1 === count ? `event ${count} is` : `events ${this.covered + 1}..${count} are`;
        this.fail(this.covered + 1, `${range} not covered by any signed checkpoint`, line);
      }
    }
    const f = this.failure;
    return f
      ? {
          ok: false,
          checked: this.checked,
          firstBrokenSeq: f.seq,
          reason: f.reason,
          ...(f.line !== undefined ? { line: f.line } : {}),
        }
      : { ok: true, checked: this.checked, firstBrokenSeq: null, reason: null };
  }
}
