import type { KeyObject } from 'node:crypto';
import { AUDIT_FORMAT_VERSION } from './audit.chain.js';
import { EXPORT_FORMAT, type ExportEndLine, type ExportLine } from './audit.export.js';
import { publicKeyFingerprint } from './audit.signing.js';
import { ChainVerifier, type VerifyResult } from './chain.verifier.js';

/**
 * Checks a JSON Lines export line by line with nothing but the public key obtained
 * independently from the service: header, every event's hashes, dense sequence numbers,
 * checkpoints and their signatures, and the end line (so a cut file does not pass).
 */
export class ExportVerifier {
  private verifier: ChainVerifier | null = null;
  private n = 0;
  private events = 0;
  private checkpoints = 0;
  private end: ExportEndLine | null = null;
  private result: VerifyResult | null = null;

  constructor(private readonly publicKey: KeyObject) {}

  /** Feeds the next line; false once the outcome is known (stop reading). */
  line(raw: string): boolean {
    if (this.result) return false;
    this.n++;
    if (raw.length === 0 || raw.trim() === '') return true;
    let line: ExportLine;
    try {
      line = JSON.parse(raw) as ExportLine;
    } catch {
      return this.broken('line is not valid JSON');
    }
    const v = this.verifier;
    if (!v) return this.header(line);
    if (this.end) return this.broken('lines follow the end line');
    try {
      if (line.type === 'event') {
        this.events++;
        v.event(line, this.n);
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

  private header(line: ExportLine): boolean {
    if (line.type !== 'header' || line.format !== EXPORT_FORMAT) return this.broken('the first line is not a Cloison audit export header');
    if (line.version !== AUDIT_FORMAT_VERSION) return this.broken(`unsupported export format version ${line.version}`);
    const given = publicKeyFingerprint(this.publicKey);
    if (line.keyFingerprint !== given) {
      return this.broken(`the export was signed with key ${line.keyFingerprint}, not with the given public key ${given}`);
    }
    this.verifier = new ChainVerifier({ mode: line.scope === 'tenant' ? 'tenant' : 'global', chain: line.chain, publicKey: this.publicKey });
    return true;
  }

  private broken(reason: string): false {
    this.result ??= { ok: false, checked: this.events, firstBrokenSeq: this.verifier?.nextSeq ?? 1, reason, line: this.n };
    return false;
  }

  finish(): VerifyResult {
    if (this.result) return this.result;
    const v = this.verifier;
    if (!v) return (this.broken('the export is empty (no header line)'), this.finish());
    const outcome = v.finish(this.n);
    if (!outcome.ok) return (this.result = outcome);
    if (!this.end) return (this.broken('the export ends without its end line (file truncated)'), this.finish());
    if (this.end.events !== this.events || this.end.checkpoints !== this.checkpoints) {
      this.broken(`the end line announces ${this.end.events} events and ${this.end.checkpoints} checkpoints, the file has ${this.events} and ${this.checkpoints}`);
      return this.finish();
    }
    return (this.result = outcome);
  }
}

/** Verifies an export given as lines. */
export async function verifyExport(lines: AsyncIterable<string> | Iterable<string>, publicKey: KeyObject): Promise<VerifyResult> {
  const verifier = new ExportVerifier(publicKey);
  for await (const line of lines) if (!verifier.line(line)) break;
  return verifier.finish();
}

/** Verifies an export given as text chunks (e.g. a file stream with utf8 encoding), in constant memory. */
export async function verifyExportStream(chunks: AsyncIterable<string>, publicKey: KeyObject): Promise<VerifyResult> {
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
