import type { KeyObject } from 'node:crypto';
import { AUDIT_FORMAT_VERSION, GLOBAL_CHAIN, type ChainedEvent } from './audit.chain.js';
import { publicKeyFingerprint, type Checkpoint } from './audit.signing.js';
import { ChainVerifier, type VerifyResult } from './chain.verifier.js';

export const EXPORT_FORMAT = 'cloison-audit-export';

export interface ExportHeader {
  type: 'header';
  format: typeof EXPORT_FORMAT;
  version: number;
  /** 'global': every event, global chain; 'tenant': one tenant's events and chain only. */
  scope: 'global' | 'tenant';
  chain: string;
  tenant: { id: string; slug: string } | null;
  keyFingerprint: string;
  exportedAt: string;
}

export type ExportEventLine = { type: 'event' } & ChainedEvent;
export type ExportCheckpointLine = { type: 'checkpoint' } & Checkpoint;
export interface ExportEndLine {
  type: 'end';
  events: number;
  checkpoints: number;
}
export type ExportLine = ExportHeader | ExportEventLine | ExportCheckpointLine | ExportEndLine;

export function exportHeader(scope: 'global' | 'tenant', tenant: { id: string; slug: string } | null, keyFingerprint: string): ExportHeader {
  return {
    type: 'header',
    format: EXPORT_FORMAT,
    version: AUDIT_FORMAT_VERSION,
    scope,
    chain: tenant ? tenant.id : GLOBAL_CHAIN,
    tenant,
    keyFingerprint,
    exportedAt: new Date().toISOString(),
  };
}

/** In a tenant export the global chain's fields are left out: they would reveal other tenants' activity. */
export function eventLine(e: ChainedEvent, scope: 'global' | 'tenant'): string {
  const { seq, hash, ...rest } = e;
  return JSON.stringify(scope === 'global' ? { type: 'event', seq, ...rest, hash } : { type: 'event', ...rest }) + '\n';
}

export function checkpointLine(c: Checkpoint): string {
  return JSON.stringify({ type: 'checkpoint', ...c }) + '\n';
}

export function endLine(events: number, checkpoints: number): string {
  return JSON.stringify({ type: 'end', events, checkpoints }) + '\n';
}

export const CSV_COLUMNS = [
  'type', 'seq', 'tenant_seq', 'tenant_id', 'at', 'actor_id', 'actor_name', 'actor_role', 'action', 'option',
  'before', 'after', 'diff', 'reason', 'request_id', 'content_hash', 'hash', 'tenant_hash', 'signature',
] as const;

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  // Quote everything that could split a cell or be read as a spreadsheet formula.
  return /[",\r\n]|^[=+\-@\t]/.test(s) ? `"${(/^[=+\-@\t]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
};

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

export function csvEventRow(e: ChainedEvent, scope: 'global' | 'tenant'): string {
  const global = scope === 'global';
  return [
    'event', global ? e.seq : '', e.tenantSeq, e.tenantId, e.at, e.actor.id, e.actor.name, e.actor.role, e.action, e.option,
    e.before, e.after, e.diff, e.reason, e.requestId, e.contentHash, global ? e.hash : '', e.tenantHash, '',
  ].map(cell).join(',') + '\r\n';
}

export function csvCheckpointRow(c: Checkpoint, scope: 'global' | 'tenant'): string {
  const seqs = scope === 'global' ? [c.seq, ''] : ['', c.seq];
  const hashes = scope === 'global' ? [c.head, ''] : ['', c.head];
  return ['checkpoint', ...seqs, scope === 'tenant' ? c.chain : '', c.at, '', '', '', '', '', '', '', '', '', '', '', ...hashes, c.signature]
    .map(cell).join(',') + '\r\n';
}

/**
 * Verifies a JSON Lines export with nothing but the public key obtained independently from the
 * service: header, every event's hashes, dense sequence numbers, checkpoints and their signatures.
 */
export async function verifyExport(lines: AsyncIterable<string> | Iterable<string>, publicKey: KeyObject): Promise<VerifyResult> {
  let verifier: ChainVerifier | null = null;
  let n = 0;
  let events = 0;
  let checkpoints = 0;
  let end: ExportEndLine | null = null;
  const broken = (reason: string, seq = 1): VerifyResult => ({ ok: false, checked: events, firstBrokenSeq: seq, reason, line: n });
  for await (const raw of lines) {
    n++;
    if (raw.trim() === '') continue;
    let line: ExportLine;
    try {
      line = JSON.parse(raw) as ExportLine;
    } catch {
      return broken('line is not valid JSON', verifier?.nextSeq ?? 1);
    }
    if (!verifier) {
      if (line.type !== 'header' || line.format !== EXPORT_FORMAT) return broken('the first line is not a Cloison audit export header');
      if (line.version !== AUDIT_FORMAT_VERSION) return broken(`unsupported export format version ${line.version}`);
      const given = publicKeyFingerprint(publicKey);
      if (line.keyFingerprint !== given) {
        return broken(`the export was signed with key ${line.keyFingerprint}, not with the given public key ${given}`);
      }
      verifier = new ChainVerifier({ mode: line.scope === 'tenant' ? 'tenant' : 'global', chain: line.chain, publicKey });
      continue;
    }
    if (end) return broken('lines follow the end line', verifier.nextSeq);
    try {
      if (line.type === 'event') {
        events++;
        verifier.event(line, n);
      } else if (line.type === 'checkpoint') {
        checkpoints++;
        verifier.checkpoint(line, n);
      } else if (line.type === 'end') {
        end = line;
      } else {
        return broken(`unknown line type "${(line as { type?: unknown }).type}"`, verifier.nextSeq);
      }
    } catch (err) {
      verifier.fail(verifier.nextSeq, `line is not a well-formed ${line.type}: ${(err as Error).message}`, n);
    }
    if (verifier.broken) return verifier.finish();
  }
  if (!verifier) return broken('the export is empty (no header line)');
  if (!end) return { ...verifier.finish(n), ...(verifier.broken ? {} : broken('the export ends without its end line (file truncated)', verifier.nextSeq)) };
  if (end.events !== events || end.checkpoints !== checkpoints) {
    return broken(`the end line announces ${end.events} events and ${end.checkpoints} checkpoints, the file has ${events} and ${checkpoints}`, verifier.nextSeq);
  }
  return verifier.finish(n);
}
