import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { GENESIS_HASH, contentHash, linkHash, type AuditContent } from '#audit-format';
import { checkpointLine, endLine, eventLine, exportHeader } from '#audit-format';
import { publicKeyFingerprint, signCheckpoint } from '#audit-format';

export interface SyntheticExportOptions {
  /** Events in the global log (a tenant export holds that tenant's share of them). */
  events: number;
  tenants?: number;
  checkpointEvery?: number;
  /** A tenant export of the tenant with this index, else the global export. */
  tenant?: number;
  /** Unusual but valid content now and then: nested values, escapes, non-ASCII text, null fields. */
  varied?: boolean;
  privateKey?: KeyObject;
}

export const tenantIdOf = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

function contentOf(seq: number, tenantId: string | null, varied: boolean, t0: number): AuditContent {
  const before = 300 + (seq % 7);
  const c: AuditContent = {
    tenantId,
    at: new Date(t0 + seq).toISOString(),
    actor: { id: 'c0ffee00-0000-4000-8000-000000000001', name: 'operator', role: 'operator' },
    action: 'option.set',
    option: 'retention_days',
    before,
    after: before + 1,
    diff: [{ op: 'replace', path: '', value: before + 1 }],
    reason: 'retention aligned with the electoral code',
    requestId: `req-${seq}`,
  };
  if (!varied) return c;
  switch (seq % 6) {
    case 1:
      return {
        ...c,
        before: { zeta: [1, 2.5, -0, 1e21], alpha: { '10': true, '9': null } },
        after: { alpha: 'é 𝄞 "quoted"\n' },
        reason: 'tab\there \u0001',
      };
    case 2:
      return {
        ...c,
        option: null,
        before: null,
        after: null,
        diff: null,
        requestId: null,
        reason: null,
        actor: { ...c.actor, name: 'Zoë Ünal' },
      };
    case 3:
      return { ...c, after: [{ b: 1, a: [] }, 'x'], diff: [{ op: 'add', path: '/0', value: { b: 1, a: [] } }] };
    default:
      return c;
  }
}

/**
 * Lines (each ending with \n) of a signed export of a synthetic log, built as the service
 * builds one: header, events with both chains, a checkpoint every `checkpointEvery` events of the
 * exported chain and after the last, end line. Lazy, so that a large one takes no memory.
 */
export function* syntheticExport(opts: SyntheticExportOptions & { privateKey: KeyObject }): Generator<string> {
  const tenants = opts.tenants ?? 5;
  const every = opts.checkpointEvery ?? 10;
  const key = publicKeyFingerprint(createPublicKey(opts.privateKey));
  const only = opts.tenant === undefined ? null : tenantIdOf(opts.tenant);
  const tenantOf = (seq: number) => (seq % 10 === 0 ? null : tenantIdOf(seq % tenants));
  let lastOfChain = opts.events;
  while (only && lastOfChain > 0 && tenantOf(lastOfChain) !== only) lastOfChain--;
  const scope = only ? 'tenant' : 'global';
  yield `${JSON.stringify(exportHeader(scope, only ? { id: only, slug: 'only' } : null, key))}\n`;
  let head = GENESIS_HASH;
  const heads = new Map<string, { seq: number; hash: string }>();
  let events = 0;
  let checkpoints = 0;
  const t0 = Date.UTC(2026, 10, 26);
  const chain = only ?? 'global';
  for (let seq = 1; seq <= opts.events; seq++) {
    const tenantId = tenantOf(seq);
    const c = contentOf(seq, tenantId, opts.varied ?? false, t0);
    const h = contentHash(c);
    head = linkHash(head, h);
    let tenantSeq: number | null = null;
    let tenantHash: string | null = null;
    if (tenantId) {
      const t = heads.get(tenantId) ?? { seq: 0, hash: GENESIS_HASH };
      tenantSeq = t.seq + 1;
      tenantHash = linkHash(t.hash, h);
      heads.set(tenantId, { seq: tenantSeq, hash: tenantHash });
    }
    if (only && tenantId !== only) continue;
    events++;
    // Keys in the order the service reads them from a row (toChained), so that lines look exported.
    yield eventLine({ seq, tenantSeq, ...c, contentHash: h, hash: head, tenantHash }, scope);
    const at = only ? (tenantSeq as number) : seq;
    if (at % every === 0 || seq === lastOfChain) {
      checkpoints++;
      const signed = signCheckpoint(
        { chain, seq: at, head: only ? (tenantHash as string) : head, at: new Date(t0).toISOString(), key },
        opts.privateKey,
      );
      yield checkpointLine(signed);
    }
  }
  yield endLine(events, checkpoints);
}

/** A whole synthetic export in memory, with the public key to verify it. */
export function syntheticExportText(opts: SyntheticExportOptions): { text: string; publicKey: KeyObject; publicKeyBase64: string } {
  const privateKey = opts.privateKey ?? generateKeyPairSync('ed25519').privateKey;
  const text = Array.from(syntheticExport({ ...opts, privateKey })).join('');
  const publicKey = createPublicKey(privateKey);
  return { text, publicKey, publicKeyBase64: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

type Line = Record<string, unknown>;

/** Edits the event at `i` and recomputes every hash and tenant sequence number of both chains from there on. */
function rechain(lines: string[], i: number, f: (e: Line) => void): void {
  let head = GENESIS_HASH;
  const heads = new Map<unknown, { seq: number; hash: string }>();
  lines.forEach((raw, k) => {
    const e = JSON.parse(raw) as Line;
    if (e.type !== 'event') return;
    if (k === i) f(e);
    const h = contentHash(e as never);
    if (k >= i) e.contentHash = h;
    if ('hash' in e) head = k >= i ? (e.hash = linkHash(head, h)) : (e.hash as string);
    if (e.tenantId !== null) {
      const t = heads.get(e.tenantId) ?? { seq: 0, hash: GENESIS_HASH };
      const next = k >= i ? { seq: t.seq + 1, hash: linkHash(t.hash, h) } : { seq: e.tenantSeq as number, hash: e.tenantHash as string };
      heads.set(e.tenantId, next);
      e.tenantSeq = next.seq;
      e.tenantHash = next.hash;
    }
    lines[k] = JSON.stringify(e);
  });
}

/** Ways to damage an export; each takes the lines (no line ends) and a position. */
const edit = (f: (e: Line) => void) => (lines: string[], i: number) => {
  const e = JSON.parse(lines[i] as string) as Line;
  f(e);
  lines[i] = JSON.stringify(e);
};
export const TAMPERINGS: Record<string, (lines: string[], i: number) => void> = {
  reason: edit((e) => (e.reason = 'nothing to see')),
  rehashed: edit((e) => {
    e.reason = 'nothing to see';
    e.contentHash = contentHash(e as never);
  }),
  relinked: (lines, i) => {
    const prev = lines
      .slice(0, i)
      .reverse()
      .map((l) => JSON.parse(l) as Line)
      .find((l) => l.type === 'event');
    edit((e) => {
      e.after = 'forged';
      e.contentHash = contentHash(e as never);
      e.hash = linkHash((prev?.hash as string) ?? '0'.repeat(64), e.contentHash as string);
    })(lines, i);
  },
  // The chains recomputed after the edit, as by someone who can write the database but not sign.
  rewritten: (lines, i) => rechain(lines, i, (e) => (e.reason = 'nothing to see')),
  rewrittenOddTenant: (lines, i) => rechain(lines, i, (e) => (e.tenantId = 7)),
  deleted: (lines, i) => void lines.splice(i, 1),
  swapped: (lines, i) => void lines.splice(i, 2, ...lines.slice(i, i + 2).reverse()),
  duplicated: (lines, i) => void lines.splice(i, 0, lines[i] as string),
  notJson: (lines, i) => void (lines[i] = '{"type":"event",'),
  nullLine: (lines, i) => void (lines[i] = 'null'),
  blank: (lines, i) => void lines.splice(i, 0, ['', '   ', '\t', '\ufeff'][i % 4] as string),
  crlf: (lines, i) => void (lines[i] += '\r'),
  escaped: (lines, i) => void (lines[i] = (lines[i] as string).replace('"operator"', '"\\u006fperator"')),
  loneSurrogate: (lines, i) => void (lines[i] = (lines[i] as string).replace('"operator"', '"\\ud800"')),
  seqAsString: edit((e) => (e.seq = String(e.seq))),
  tenantSeqAsString: edit((e) => (e.tenantSeq = 'x')),
  tenantSeqMissing: edit((e) => delete e.tenantSeq),
  tenantIdAsNumber: edit((e) => (e.tenantId = 7)),
  actorMissing: edit((e) => delete e.actor),
  shortHash: edit((e) => (e.hash = 'abc')),
  tenantHashNull: edit((e) => (e.tenantHash = null)),
  tenantHashOther: edit((e) => (e.tenantHash = 12)),
  checkpointHead: edit((e) => e.type === 'checkpoint' && (e.head = '0'.repeat(64))),
  wrongType: edit((e) => (e.type = e.type === 'event' ? 'checkpoint' : 'event')),
  afterEnd: (lines) => void lines.push(lines[1] as string),
  endDropped: (lines) => void lines.splice(lines.length - 2, 1),
};
