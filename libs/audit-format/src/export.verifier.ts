import { Buffer } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import { AUDIT_FORMAT_VERSION } from './audit.chain.js';
import { EXPORT_FORMAT, type ExportEndLine, type ExportLine } from './audit.export.js';
import { publicKeyFingerprint } from './audit.signing.js';
import { ChainVerifier, type VerifyResult } from './chain.verifier.js';
import { trustedKeys } from './key-rotation.js';
import { LINE_BLANK, LINE_TEXT, digestBatch, digestEvent, isBlank, type DigestBatch } from './export.digest.js';
import { WorkerDigester, defaultWorkers } from './export.pool.js';
import { ApprovalSignatureVerifier, type ApprovalFinding } from './approval-signature.verifier.js';
import { OptionReplay, readState, rowWrite, type RowWrite } from './option-replay.js';

/** An export's verification, with what it found about each approval's signature. */
export type ExportVerifyResult = VerifyResult & { approvals: ApprovalFinding[] };

/**
 * Checks a JSON Lines export line by line with nothing but the public key obtained
 * independently from the service: header, every event's hashes, dense sequence numbers,
 * checkpoints and their signatures, and the end line (so a cut file does not pass).
 */
export class ExportVerifier {
  private verifier: ChainVerifier | null = null;
  private consent: ApprovalSignatureVerifier | null = null;
  private n = 0;
  private events = 0;
  private checkpoints = 0;
  private end: ExportEndLine | null = null;
  private result: VerifyResult | null = null;
  /** The option rows each tenant's chain implies, compared with the export's state lines. */
  private readonly values = new OptionReplay();
  /** The tenant of a tenant export (null: global). */
  private chain: string | null = null;

  constructor(private readonly publicKey: KeyObject) {}

  /** Feeds the next line; false once the outcome is known (stop reading). */
  line(raw: string): boolean {
    if (this.result) return false;
    this.n++;
    if (isBlank(raw)) return true;
    let line: ExportLine;
    try {
      line = JSON.parse(raw) as ExportLine;
    } catch {
      return this.broken('line is not valid JSON');
    }
    if (typeof line !== 'object' || line === null || Array.isArray(line)) return this.broken('line is not a JSON object');
    const v = this.verifier;
    if (!v) return this.header(line);
    if (this.end) return this.broken('lines follow the end line');
    try {
      if (line.type === 'event') {
        this.events++;
        v.event(line, this.n);
        const seq = this.consent && !v.broken ? v.nextSeq - 1 : 0;
        const refusal = seq > 0 ? this.consent?.event(line, seq, this.n) : null;
        if (refusal) v.fail(seq, refusal, this.n);
        this.replay(line.tenantId, () => rowWrite(line.action, line.option, line.after));
      } else if (line.type === 'state') {
        this.state(line);
      } else if (line.type === 'checkpoint') {
        this.checkpoints++;
        v.checkpoint(line, this.n);
      } else if (line.type === 'end') {
        this.end = line;
      } else {
        return this.broken(`unknown line type "${(line as { type?: unknown }).type}"`);
      }
    } catch (err) {
      v.fail(v.nextSeq, `line is not a well-formed ${line.type}: ${(err as Error).message}`, this.n);
    }
    if (!v.broken) return true;
    this.result = v.finish();
    return false;
  }

  /** Feeds the lines of a digested batch, in order; false once the outcome is known. */
  batch(d: DigestBatch): boolean {
    let text = 0;
    let event = 0;
    for (let i = 0; i < d.kinds.length; i++) {
      const kind = d.kinds[i];
      if (kind === LINE_TEXT) {
        if (!this.line(d.texts[text++] as string)) return false;
        continue;
      }
      if (this.result) return false;
      this.n++;
      if (kind === LINE_BLANK) continue;
      // An event line: what line() does with one, the hashing being done.
      const v = this.verifier;
      if (!v) return this.broken('the first line is not a Cloison audit export header');
      if (this.end) return this.broken('lines follow the end line');
      this.events++;
      const digest = digestEvent(d, event++);
      v.digested(digest, this.n);
      this.replay(digest.tenantId, () => digest.write);
      if (v.broken) {
        this.result = v.finish();
        return false;
      }
    }
    return true;
  }

  /** A verified event, into its tenant's replay. */
  private replay(tenantId: string | null, write: () => RowWrite | null): void {
    if (tenantId !== null && this.verifier && !this.verifier.broken) this.values.event(tenantId, write());
  }

  /** A state line: the tenant's stored rows, compared with its chain replayed up to here. */
  private state(line: Parameters<typeof readState>[0]): void {
    const v = this.verifier as ChainVerifier;
    const state = readState(line);
    if (this.chain !== null && state.tenantId !== this.chain) {
      return v.fail(v.headSeq, `the stored option values given are of another tenant (${state.tenantId})`, this.n);
    }
    this.values.check(state, v.headSeq, this.n);
  }

  private header(line: ExportLine): boolean {
    if (line.type !== 'header' || line.format !== EXPORT_FORMAT) return this.broken('the first line is not a Cloison audit export header');
    if (line.version !== AUDIT_FORMAT_VERSION) return this.broken(`unsupported export format version ${line.version}`);
    const given = publicKeyFingerprint(this.publicKey);
    const rotations = Array.isArray(line.keyRotations) ? line.keyRotations : [];
    // The header's rotations are not trusted as such: each is signed by both keys it links.
    if (!trustedKeys(this.publicKey, rotations).has(line.keyFingerprint)) {
      return this.broken(
        `the export was signed with key ${line.keyFingerprint}, not with the given public key ${given} or a key it rotated to`,
      );
    }
    const mode = line.scope === 'tenant' ? 'tenant' : 'global';
    this.verifier = new ChainVerifier({ mode, chain: line.chain, publicKey: this.publicKey, rotations });
    this.chain = mode === 'tenant' ? line.chain : null;
    this.consent = new ApprovalSignatureVerifier(mode);
    return true;
  }

  private broken(reason: string): false {
    this.result ??= { ok: false, checked: this.events, firstBrokenSeq: this.verifier?.nextSeq ?? 1, reason, line: this.n };
    return false;
  }

  finish(): ExportVerifyResult {
    return { ...this.values.outcome(this.chainResult()), approvals: this.consent?.findings ?? [] };
  }

  private chainResult(): VerifyResult {
    if (this.result) return this.result;
    const v = this.verifier;
    if (!v) return (this.broken('the export is empty (no header line)'), this.chainResult());
    const outcome = v.finish(this.n);
    if (!outcome.ok) return (this.result = outcome);
    if (!this.end) return (this.broken('the export ends without its end line (file truncated)'), this.chainResult());
    if (this.end.events !== this.events || this.end.checkpoints !== this.checkpoints) {
      this.broken(
        `the end line announces ${this.end.events} events and ${this.end.checkpoints} checkpoints, the file has ${this.events} and ${this.checkpoints}`,
      );
      return this.chainResult();
    }
    return (this.result = outcome);
  }
}

/** Verifies an export given as lines. */
export async function verifyExport(lines: AsyncIterable<string> | Iterable<string>, publicKey: KeyObject): Promise<ExportVerifyResult> {
  const verifier = new ExportVerifier(publicKey);
  for await (const line of lines) if (!verifier.line(line)) break;
  return verifier.finish();
}

export interface VerifyBytesOptions {
  /** Worker threads that digest batches besides this one (0: none). Default: one per core but one, where the compiled worker exists. */
  workers?: number;
  /** Bytes per batch (whole lines; a longer line makes a longer batch). */
  batchBytes?: number;
  /** Below this many bytes of input, no worker is started. */
  parallelFrom?: number;
}

interface Pending {
  done?: DigestBatch;
  wait?: Promise<DigestBatch>;
}

/**
 * Verifies an export given as bytes (a file or standard input), in constant memory: the input
 * is cut into batches of whole lines, each digested on its own (parsed, content hashes, links
 * within the batch) by a worker thread, or by this thread when every worker has enough to do;
 * this thread walks the digests strictly in file order, so the first failure reported is the
 * earliest one, with its line number. A bounded number of batches is pending at any time:
 * reading waits for the walk (backpressure).
 */
export async function verifyExportBytes(
  chunks: AsyncIterable<Uint8Array>,
  publicKey: KeyObject,
  opts: VerifyBytesOptions = {},
): Promise<ExportVerifyResult> {
  const verifier = new ExportVerifier(publicKey);
  const workers = opts.workers ?? defaultWorkers();
  const parallelFrom = opts.parallelFrom ?? 4 * MiB;
  let pool: WorkerDigester | null = null;
  const pending: Pending[] = [];
  // Room for this thread to go on digesting while a worker waits for a core.
  const maxPending = Math.max(8, PER_WORKER * workers + 1);
  let read = 0;
  try {
    outer: for await (const batch of lineBatches(chunks, opts.batchBytes ?? MiB)) {
      read += batch.byteLength;
      if (!pool && workers > 0 && read >= parallelFrom) pool = new WorkerDigester(workers);
      if (pool?.hasRoom(PER_WORKER)) {
        const p: Pending = { wait: pool.submit(batch) };
        p.wait?.then(
          (d) => (p.done = d),
          () => {},
        );
        pending.push(p);
      } else {
        pending.push({ done: digestBatch(batch) });
      }
      // Walk what is ready, in order; wait only when too much is pending.
      while (pending[0] && (pending[0].done || pending.length > maxPending)) {
        const next = pending.shift() as Pending;
        if (!verifier.batch(next.done ?? (await (next.wait as Promise<DigestBatch>)))) break outer;
      }
    }
    for (const next of pending) if (!verifier.batch(next.done ?? (await (next.wait as Promise<DigestBatch>)))) break;
  } finally {
    await pool?.close();
  }
  return verifier.finish();
}

/** Batches sent to a worker and not digested yet, at most. */
const PER_WORKER = 2;
const MiB = 1 << 20;

/** Cuts a byte stream into batches that end at a line end (but for the last), each in its own transferable buffer. */
export async function* lineBatches(chunks: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(size);
  let len = 0;
  for await (const chunk of chunks) {
    let off = 0;
    while (off < chunk.byteLength) {
      const n = Math.min(chunk.byteLength - off, buf.byteLength - len);
      buf.set(chunk.subarray(off, off + n), len);
      len += n;
      off += n;
      if (len < buf.byteLength) continue;
      const nl = Buffer.from(buf.buffer, 0, len).lastIndexOf(10);
      if (nl === -1) {
        // One line longer than a batch: the batch grows to hold it.
        const bigger = new Uint8Array(2 * buf.byteLength);
        bigger.set(buf);
        buf = bigger;
        continue;
      }
      const next = new Uint8Array(Math.max(size, len - nl - 1));
      next.set(buf.subarray(nl + 1, len));
      yield buf.subarray(0, nl + 1);
      buf = next;
      len -= nl + 1;
    }
  }
  if (len > 0) yield buf.subarray(0, len);
}

/** Verifies an export given as text chunks (e.g. a file stream with utf8 encoding), in constant memory. */
export async function verifyExportStream(
  chunks: AsyncIterable<string> | Iterable<string>,
  publicKey: KeyObject,
): Promise<ExportVerifyResult> {
  const verifier = new ExportVerifier(publicKey);
  let rest = '';
  outer: for await (const chunk of chunks) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (!verifier.line(text.slice(start, end))) break outer;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length) verifier.line(rest);
  return verifier.finish();
}
