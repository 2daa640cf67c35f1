import { AUDIT_FORMAT_VERSION } from './audit.chain.js';

// A string with nothing JSON would escape (quote, backslash, control characters, surrogates):
// its text between the quotes is its value, and JSON.stringify writes it back the same.
const STR = String.raw`("[^"\\\u0000-\u001f\ud800-\udfff]*")`;
const STR_OR_NULL = String.raw`(null|"[^"\\\u0000-\u001f\ud800-\udfff]*")`;
// Integers of at most 15 digits (safe, and written back the same; no -0).
const INT = '(0|-?[1-9][0-9]{0,14})';
const SCALAR = String.raw`(null|true|false|0|-?[1-9][0-9]{0,14}|"[^"\\\u0000-\u001f\ud800-\udfff]*")`;
const PATCH = String.raw`(null|\[\{"op":"[a-z]+","path":"[^"\\\u0000-\u001f\ud800-\udfff]*","value":(?:null|true|false|0|-?[1-9][0-9]{0,14}|"[^"\\\u0000-\u001f\ud800-\udfff]*")\}\])`;
const HASH = '"([0-9a-f]{64})"';

/**
 * An event line exactly as the service exports it (toChained's key order through eventLine, no
 * whitespace) whose values are all plain: strings without escapes, small integers, and a value
 * change of at most one replaced scalar. Such a line is valid JSON, its values are the text
 * between the delimiters, and each is already in canonical form, so the content's canonical
 * JSON is those texts in sorted key order, with no parsing. Anything else does not match.
 */
const PLAIN_EVENT = new RegExp(
  String.raw`^\{"type":"event",(?:"seq":${INT},)?"tenantSeq":(null|${INT.slice(1, -1)}),"tenantId":${STR_OR_NULL},"at":${STR},` +
    String.raw`"actor":\{"id":${STR},"name":${STR},"role":${STR}\},"action":${STR},"option":${STR_OR_NULL},"before":${SCALAR},"after":${SCALAR},` +
    String.raw`"diff":${PATCH},"reason":${STR_OR_NULL},"requestId":${STR_OR_NULL},"contentHash":${HASH},"tenantHash":(null|${HASH})(?:,"hash":${HASH})?\}$`,
);

export interface PlainEvent {
  /** NaN when absent (a tenant export). */
  seq: number;
  tenantSeq: number | null;
  tenantId: string | null;
  /** RFC 8785 canonical JSON of the content, as canonicalContent writes it. */
  canonical: string;
  contentHash: string;
  hash: string | undefined;
  tenantHash: string | null;
  /** The texts of action, option and after, as JSON (a string with its quotes). */
  action: string;
  option: string;
  after: string;
}

/** The event of a plain line (see PLAIN_EVENT), else null. */
export function readPlainEvent(raw: string): PlainEvent | null {
  const m = PLAIN_EVENT.exec(raw);
  if (!m) return null;
  const [
    ,
    seq,
    tenantSeq,
    tenantId,
    at,
    id,
    name,
    role,
    action,
    option,
    before,
    after,
    diff,
    reason,
    requestId,
    contentHash,
    tenantHashOrNull,
    tenantHash,
    hash,
  ] = m as unknown as (string | undefined)[];
  return {
    seq: seq === undefined ? NaN : Number(seq),
    tenantSeq: tenantSeq === 'null' ? null : Number(tenantSeq),
    tenantId: tenantId === 'null' ? null : (tenantId as string).slice(1, -1),
    canonical:
      `{"action":${action},"actor":{"id":${id},"name":${name},"role":${role}},"after":${after},"at":${at},"before":${before},` +
      `"diff":${diff},"option":${option},"reason":${reason},"requestId":${requestId},"tenantId":${tenantId},"v":${AUDIT_FORMAT_VERSION}}`,
    contentHash: contentHash as string,
    hash,
    tenantHash: tenantHashOrNull === 'null' ? null : (tenantHash as string),
    action: action as string,
    option: option as string,
    after: after as string,
  };
}
