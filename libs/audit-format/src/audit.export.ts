import { AUDIT_FORMAT_VERSION, GLOBAL_CHAIN, type ChainedEvent } from './audit.chain.js';
import type { Checkpoint } from './audit.signing.js';
import type { KeyRotation } from './key-rotation.js';
import type { TenantState } from './option-replay.js';

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
  /** Each rotation of the signing key, oldest first; absent when the key never changed. */
  keyRotations?: KeyRotation[];
  exportedAt: string;
}

export type ExportEventLine = { type: 'event' } & ChainedEvent;
export type ExportCheckpointLine = { type: 'checkpoint' } & Checkpoint;
export interface ExportEndLine {
  type: 'end';
  events: number;
  checkpoints: number;
}
/** A tenant's stored option rows, placed right after the event of its chain they follow. */
export type ExportStateLine = { type: 'state' } & TenantState;
export type ExportLine = ExportHeader | ExportEventLine | ExportCheckpointLine | ExportStateLine | ExportEndLine;

export function exportHeader(
  scope: 'global' | 'tenant',
  tenant: { id: string; slug: string } | null,
  keyFingerprint: string,
  keyRotations: KeyRotation[] = [],
): ExportHeader {
  return {
    type: 'header',
    format: EXPORT_FORMAT,
    version: AUDIT_FORMAT_VERSION,
    scope,
    chain: tenant ? tenant.id : GLOBAL_CHAIN,
    tenant,
    keyFingerprint,
    ...(keyRotations.length ? { keyRotations } : {}),
    exportedAt: new Date().toISOString(),
  };
}

/** In a tenant export the global chain's fields are left out: they would reveal other tenants' activity. */
export function eventLine(e: ChainedEvent, scope: 'global' | 'tenant'): string {
  const { seq, hash, ...rest } = e;
  return `${JSON.stringify(scope === 'global' ? { type: 'event', seq, ...rest, hash } : { type: 'event', ...rest })}\n`;
}

export function checkpointLine(c: Checkpoint): string {
  return `${JSON.stringify({ type: 'checkpoint', ...c })}\n`;
}

export function stateLine(s: TenantState): string {
  return `${JSON.stringify({ type: 'state', tenantId: s.tenantId, tenantSeq: s.tenantSeq, options: s.options })}\n`;
}

export function endLine(events: number, checkpoints: number): string {
  return `${JSON.stringify({ type: 'end', events, checkpoints })}\n`;
}

export const CSV_COLUMNS = [
  'type',
  'seq',
  'tenant_seq',
  'tenant_id',
  'at',
  'actor_id',
  'actor_name',
  'actor_role',
  'action',
  'option',
  'before',
  'after',
  'diff',
  'reason',
  'request_id',
  'content_hash',
  'hash',
  'tenant_hash',
  'signature',
] as const;

const FORMULA_START = /^[=+\-@\t\r\n]/;

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  // Quote everything that could split a cell; prefix what a spreadsheet could read as a formula
  // (OWASP: = + - @, and tab, CR or LF, behind which spreadsheets still find one).
  const formula = FORMULA_START.test(s);
  return formula || /[",\r\n]/.test(s) ? `"${(formula ? `'${s}` : s).replace(/"/g, '""')}"` : s;
};

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvEventRow(e: ChainedEvent, scope: 'global' | 'tenant'): string {
  const global = scope === 'global';
  return `${[
    'event',
    global ? e.seq : '',
    e.tenantSeq,
    e.tenantId,
    e.at,
    e.actor.id,
    e.actor.name,
    e.actor.role,
    e.action,
    e.option,
    e.before,
    e.after,
    e.diff,
    e.reason,
    e.requestId,
    e.contentHash,
    global ? e.hash : '',
    e.tenantHash,
    '',
  ]
    .map(cell)
    .join(',')}\r\n`;
}

export function csvCheckpointRow(c: Checkpoint, scope: 'global' | 'tenant'): string {
  const seqs = scope === 'global' ? [c.seq, ''] : ['', c.seq];
  const hashes = scope === 'global' ? [c.head, ''] : ['', c.head];
  return `${[
    'checkpoint',
    ...seqs,
    scope === 'tenant' ? c.chain : '',
    c.at,
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    '',
    ...hashes,
    c.signature,
  ]
    .map(cell)
    .join(',')}\r\n`;
}
