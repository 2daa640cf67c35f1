import { jcs } from './audit.chain.js';

/**
 * The audit actions that write one row of `option_values`, and the `is_set` each leaves.
 *
 * Every row write is `cloison_write_option` (prisma/migrations/20261204201000_one_option_write),
 * called by `OptionStore.write` or `OptionStore.applyAlone` (libs/change-control/src/option-store.ts),
 * whose `planWrite` makes the row and its one audit event in the same transaction: the event names
 * the option, its `after` is the stored value, and the row's version is the previous one plus one.
 * Their callers, and the action each records:
 *   - a direct PUT or DELETE (ChangeGate.submitOne / submit): option.set, option.reset;
 *   - an approved change request, break-glass ones under a seal included (ChangeGate.applyApproved):
 *     option.set, option.reset (the change_request.* events around it write no row);
 *   - a bulk change (BulkChangesService → ChangeGate.submit): option.set, option.reset;
 *   - a preset applied at tenant creation (TenantsService → ChangeGate.submit): preset.applied, always set;
 *   - a catalog default change, for a tenant kept at its value (ChangeGate.pin): option.pinned, always set.
 * option.default_applied (a tenant following a new catalog default) writes no row: the tenant's
 * effective value moved with the registry, its stored row did not. No path deletes a row.
 */
export const OPTION_ROW_WRITES: Readonly<Record<string, boolean>> = {
  'option.set': true,
  'option.reset': false,
  'preset.applied': true,
  'option.pinned': true,
};

/** One stored row of `option_values`, as an export's state line and the verify routes read it. */
export interface StoredOption {
  key: string;
  version: number;
  value: unknown;
  isSet: boolean;
}

/** A row write an event implies: the option, whether it is set, the canonical JSON (RFC 8785) of the value. */
export interface RowWrite {
  option: string;
  isSet: boolean;
  value: string;
}

/** One tenant's stored rows at a point of its chain: after its event `tenantSeq` (0: before any). */
export interface TenantState {
  tenantId: string;
  tenantSeq: number;
  options: StoredOption[];
}

/** The first stored row that differs from the rows the chain implies (null: no such row). */
export interface OptionDifference {
  tenantId: string;
  option: string;
  stored: { version: number; value: unknown; isSet: boolean } | null;
  expected: { version: number; value: unknown; isSet: boolean } | null;
}

/** The row write of an event, or null when its action writes no row. */
export function rowWrite(action: string, option: string | null, after: unknown): RowWrite | null {
  if (!Object.hasOwn(OPTION_ROW_WRITES, action) || typeof option !== 'string') return null;
  return { option, isSet: OPTION_ROW_WRITES[action] === true, value: jcs(after ?? null) };
}

interface Row {
  version: number;
  isSet: boolean;
  value: string;
}

/**
 * Replays tenants' chains, in order, into the rows they imply, and compares stored rows with them.
 * Each tenant's events are counted, so that a state is compared at the place of the chain it
 * describes.
 */
export class OptionReplay {
  private readonly tenants = new Map<string, { seq: number; rows: Map<string, Row> }>();
  /** States compared so far. */
  checked = 0;
  /** The first state that did not match: where it was found, why, and the first difference. */
  failure: { seq: number; line?: number; reason: string; difference?: OptionDifference } | null = null;

  /** The next event of `tenantId`'s chain (verified), with its row write if it has one. */
  event(tenantId: string, write: RowWrite | null): void {
    let t = this.tenants.get(tenantId);
    if (!t) this.tenants.set(tenantId, (t = { seq: 0, rows: new Map() }));
    t.seq++;
    if (!write) return;
    const version = (t.rows.get(write.option)?.version ?? 0) + 1;
    t.rows.set(write.option, { version, isSet: write.isSet, value: write.value });
  }

  /** Events of `tenantId` replayed so far. */
  seen(tenantId: string): number {
    return this.tenants.get(tenantId)?.seq ?? 0;
  }

  /**
   * Compares `state`, given after the tenant's last replayed event, with the rows replayed: null
   * when they are the same, else why not (and the first difference).
   */
  check(state: TenantState, seq: number, line?: number): { reason: string; difference?: OptionDifference } | null {
    const seen = this.seen(state.tenantId);
    let found: { reason: string; difference?: OptionDifference } | null = null;
    if (state.tenantSeq !== seen) {
      found = {
        reason: `the stored option values of tenant ${state.tenantId} follow event ${seen} of its chain but describe the state after event ${state.tenantSeq}`,
      };
    } else {
      this.checked++;
      const difference = this.compare(state);
      if (difference) found = { reason: differenceReason(difference), difference };
    }
    if (found) this.failure ??= { seq, line, ...found };
    return found;
  }

  /**
   * The chain's verification with the stored values' outcome: a chain that fails is reported as
   * such (its failure explains more); an intact one fails at the first state that did not match.
   */
  outcome<R extends { ok: boolean; firstBrokenSeq: number | null; reason: string | null; line?: number }>(
    chain: R,
  ): R & { valuesChecked: number; valueDifference?: OptionDifference } {
    const f = this.failure;
    if (!chain.ok || !f) return { ...chain, valuesChecked: this.checked };
    return {
      ...chain,
      ok: false,
      firstBrokenSeq: f.seq,
      reason: f.reason,
      ...(f.line !== undefined ? { line: f.line } : {}),
      valuesChecked: this.checked,
      ...(f.difference ? { valueDifference: f.difference } : {}),
    };
  }

  /** The first difference between `state` and the rows replayed (by option key), or null. */
  compare(state: TenantState): OptionDifference | null {
    const rows = this.tenants.get(state.tenantId)?.rows ?? new Map<string, Row>();
    const stored = new Map(state.options.map((o) => [o.key, o]));
    for (const key of [...new Set([...stored.keys(), ...rows.keys()])].sort()) {
      const s = stored.get(key);
      const r = rows.get(key);
      if (s && r && s.version === r.version && s.isSet === r.isSet && jcs(s.value) === r.value) continue;
      return {
        tenantId: state.tenantId,
        option: key,
        stored: s ? { version: s.version, value: s.value, isSet: s.isSet } : null,
        expected: r ? { version: r.version, value: JSON.parse(r.value) as unknown, isSet: r.isSet } : null,
      };
    }
    return null;
  }
}

/** A state line's content, checked for shape (throws what is wrong). */
export function readState(line: { tenantId?: unknown; tenantSeq?: unknown; options?: unknown }): TenantState {
  const { tenantId, tenantSeq, options } = line;
  if (typeof tenantId !== 'string') throw new Error('tenantId is not a string');
  if (!Number.isSafeInteger(tenantSeq) || (tenantSeq as number) < 0) throw new Error('tenantSeq is not a sequence number');
  if (!Array.isArray(options)) throw new Error('options is not an array');
  const keys = new Set<string>();
  for (const o of options as Partial<StoredOption>[]) {
    if (typeof o?.key !== 'string' || !Number.isSafeInteger(o.version) || typeof o.isSet !== 'boolean' || !('value' in o))
      throw new Error('an option is not {key, version, value, isSet}');
    if (keys.has(o.key)) throw new Error(`option "${o.key}" is given twice`);
    keys.add(o.key);
  }
  return { tenantId, tenantSeq: tenantSeq as number, options: options as StoredOption[] };
}

/** What a verification says of a difference. */
export function differenceReason(d: OptionDifference): string {
  const row = (r: OptionDifference['stored']) =>
    r ? `version ${r.version}, value ${JSON.stringify(r.value)} (${r.isSet ? 'set' : 'default'})` : 'no row';
  return (
    `option "${d.option}" of tenant ${d.tenantId} is stored as ${row(d.stored)}, but the audit chain implies ${row(d.expected)}: ` +
    'the stored values were changed outside the service'
  );
}
