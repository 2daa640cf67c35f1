import { Buffer, isAscii } from 'node:buffer';
import { contentHash, linkHash, sha256Hex } from './audit.chain.js';
import { readPlainEvent } from './export.plain-line.js';
import { isConsentEvent } from './approval-signature.verifier.js';
import { OPTION_ROW_WRITES, rowWrite, type RowWrite } from './option-replay.js';

/** Per line of a batch. */
export const LINE_BLANK = 0;
/** An event whose per-line work (parse, content hash, links within the batch) is done. */
export const LINE_EVENT = 1;
/** Anything else (header, checkpoint, end line, malformed or unusual lines): the text, for the sequential path. */
export const LINE_TEXT = 2;

/** Outcome of a link checked ahead, assuming the chain is intact up to the previous event of the same chain. */
export const LINK_UNKNOWN = 0;
export const LINK_OK = 1;
export const LINK_BAD = 2;
export type LinkCheck = typeof LINK_UNKNOWN | typeof LINK_OK | typeof LINK_BAD;

// Bits of DigestBatch.flags.
const CONTENT_MATCHES = 1;
const TENANT_SEQ_NULL = 2;
const HASH_PRESENT = 4;
const TENANT_HASH_NULL = 8;
const TENANT_HASH_PRESENT = 16;
const LINK_SHIFT = 5;
const TENANT_LINK_SHIFT = 7;

const HEX = 64;
const NO_HEX = '0'.repeat(HEX);

/**
 * What is left of one batch of export lines once the work that needs no state from earlier
 * lines is done: lines are parsed, content hashes recomputed and compared, and each link hash
 * checked against the previous event of its chain in the same batch. Compact (typed arrays and
 * one string of hex per event) so that passing it between threads costs little.
 */
export interface DigestBatch {
  /** One entry per line: LINE_BLANK, LINE_EVENT or LINE_TEXT. */
  kinds: Uint8Array;
  /** The LINE_TEXT lines, in order. */
  texts: string[];
  /** Per event: seq (NaN when not a number), tenantSeq (0 when null). */
  seqs: Float64Array;
  flags: Uint16Array;
  /** Per event: index into `tenants`, -1 for null. */
  tenantIdx: Int32Array;
  tenants: string[];
  /** Per event: recomputed content hash, stored hash, stored tenant hash (64 hex digits each). */
  hex: string;
  /** Per event: the option row it writes, if any (see OPTION_ROW_WRITES). */
  writes: (RowWrite | null)[];
}

/** One event of a digested batch, as the chain verifier takes it. */
export interface EventDigest {
  seq: number;
  tenantSeq: number | null;
  tenantId: string | null;
  /** Stored global link hash; undefined when absent or not a hash-sized string (it cannot match then). */
  hash: string | undefined;
  /** Stored tenant link hash; undefined when neither null nor a hash-sized string. */
  tenantHash: string | null | undefined;
  /** Recomputed content hash. */
  contentHash: string;
  contentMatches: boolean;
  /** Link to the previous event's stored `hash`, checked ahead. */
  link: LinkCheck;
  /** Link to the previous same-tenant event's stored `tenantHash`, checked ahead. */
  tenantLink: LinkCheck;
  write: RowWrite | null;
}

export function digestEvent(d: DigestBatch, i: number): EventDigest {
  const f = d.flags[i] as number;
  const at = i * 3 * HEX;
  const idx = d.tenantIdx[i] as number;
  return {
    seq: d.seqs[2 * i] as number,
    tenantSeq: f & TENANT_SEQ_NULL ? null : (d.seqs[2 * i + 1] as number),
    tenantId: idx < 0 ? null : (d.tenants[idx] as string),
    hash: f & HASH_PRESENT ? d.hex.slice(at + HEX, at + 2 * HEX) : undefined,
    tenantHash: f & TENANT_HASH_NULL ? null : f & TENANT_HASH_PRESENT ? d.hex.slice(at + 2 * HEX, at + 3 * HEX) : undefined,
    contentHash: d.hex.slice(at, at + HEX),
    contentMatches: (f & CONTENT_MATCHES) !== 0,
    link: ((f >> LINK_SHIFT) & 3) as LinkCheck,
    tenantLink: ((f >> TENANT_LINK_SHIFT) & 3) as LinkCheck,
    write: d.writes[i] ?? null,
  };
}

const isHash = (v: unknown): v is string => typeof v === 'string' && v.length === HEX;

/** Blank as ExportVerifier.line sees it. */
export const isBlank = (raw: string): boolean => raw.length === 0 || (raw.charCodeAt(0) !== 123 && raw.trim() === '');

/**
 * Digests a batch of whole lines (UTF-8; every line but possibly the last ends with \n, and
 * \r\n counts as \n). Pure: the same bytes give the same digest in any thread.
 */
export function digestBatch(bytes: Uint8Array): DigestBatch {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // ASCII, the usual case, reads as Latin-1 with the same result several times faster.
  const text = isAscii(buf) ? buf.toString('latin1') : buf.toString('utf8');
  const kinds: number[] = [];
  const texts: string[] = [];
  const seqs: number[] = [];
  const flags: number[] = [];
  const tenantIdx: number[] = [];
  const tenants: string[] = [];
  const tenantIndex = new Map<string, number>();
  const hex: string[] = [];
  const writes: (RowWrite | null)[] = [];
  // Stored link hashes of the previous event of each chain in this batch (unknown before it).
  let prevHash: string | undefined;
  const prevTenantHash = new Map<string, string>();

  const text_ = (raw: string, keepsLinks: boolean) => {
    kinds.push(LINE_TEXT);
    texts.push(raw);
    if (!keepsLinks) {
      // An event taken the sequential way: what comes after it is linked there too.
      prevHash = undefined;
      prevTenantHash.clear();
    }
  };

  const event = (
    seq: unknown,
    tenantSeq: number | null,
    tenantId: string | null,
    h: string,
    stored: { contentHash?: unknown; hash?: unknown; tenantHash?: unknown },
    write: RowWrite | null,
  ) => {
    const { hash, tenantHash } = stored;
    let f = h === stored.contentHash ? CONTENT_MATCHES : 0;
    if (tenantSeq === null) f |= TENANT_SEQ_NULL;
    let link: LinkCheck = LINK_BAD;
    if (isHash(hash)) {
      f |= HASH_PRESENT;
      link = prevHash === undefined ? LINK_UNKNOWN : linkHash(prevHash, h) === hash ? LINK_OK : LINK_BAD;
      prevHash = hash;
    } else {
      prevHash = undefined;
    }
    let tenantLink: LinkCheck = LINK_BAD;
    if (tenantHash === null) f |= TENANT_HASH_NULL;
    else if (isHash(tenantHash)) f |= TENANT_HASH_PRESENT;
    let idx = -1;
    if (tenantId !== null) {
      const prev = prevTenantHash.get(tenantId);
      if (isHash(tenantHash)) {
        tenantLink = prev === undefined ? LINK_UNKNOWN : linkHash(prev, h) === tenantHash ? LINK_OK : LINK_BAD;
        prevTenantHash.set(tenantId, tenantHash);
      } else {
        prevTenantHash.delete(tenantId);
      }
      idx = tenantIndex.get(tenantId) ?? -1;
      if (idx < 0) tenantIndex.set(tenantId, (idx = tenants.push(tenantId) - 1));
    }
    kinds.push(LINE_EVENT);
    seqs.push(typeof seq === 'number' ? seq : NaN, tenantSeq ?? 0);
    flags.push(f | (link << LINK_SHIFT) | (tenantLink << TENANT_LINK_SHIFT));
    tenantIdx.push(idx);
    hex.push(h, isHash(hash) ? hash : NO_HEX, isHash(tenantHash) ? tenantHash : NO_HEX);
    writes.push(write);
  };

  const line = (raw: string) => {
    if (isBlank(raw)) return void kinds.push(LINE_BLANK);
    // Approvals and what they are checked against are read whole, in order, by the consent check.
    if (isConsentEvent(raw)) return text_(raw, false);
    const plain = readPlainEvent(raw);
    if (plain) return event(plain.seq, plain.tenantSeq, plain.tenantId, sha256Hex(plain.canonical), plain, plainWrite(plain));
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return text_(raw, false);
    }
    if (typeof e !== 'object' || e === null || e.type !== 'event') return text_(raw, e?.type === 'checkpoint' || e?.type === 'state');
    const { seq, tenantSeq, tenantId } = e;
    if (!(typeof tenantSeq === 'number' || tenantSeq === null) || !(typeof tenantId === 'string' || tenantId === null))
      return text_(raw, false);
    let h: string;
    try {
      h = contentHash(e as never);
    } catch {
      return text_(raw, false);
    }
    event(seq, tenantSeq, tenantId, h, e, rowWrite(String(e.action), typeof e.option === 'string' ? e.option : null, e.after));
  };

  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    line(text.slice(start, nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl));
    start = nl + 1;
  }
  if (start < text.length) line(text.slice(start));

  return {
    kinds: Uint8Array.from(kinds),
    texts,
    seqs: Float64Array.from(seqs),
    flags: Uint16Array.from(flags),
    tenantIdx: Int32Array.from(tenantIdx),
    tenants,
    hex: hex.join(''),
    writes,
  };
}

/** The row write of a plain line: its action and option are strings without escapes, its after canonical JSON already. */
function plainWrite(p: { action: string; option: string; after: string }): RowWrite | null {
  const action = p.action.slice(1, -1);
  if (!Object.hasOwn(OPTION_ROW_WRITES, action)) return null;
  return rowWrite(action, p.option === 'null' ? null : p.option.slice(1, -1), JSON.parse(p.after));
}

/** The buffers a digest can hand over to another thread without copying. */
export function transferables(d: DigestBatch): ArrayBuffer[] {
  return [d.kinds.buffer, d.seqs.buffer, d.flags.buffer, d.tenantIdx.buffer] as ArrayBuffer[];
}
