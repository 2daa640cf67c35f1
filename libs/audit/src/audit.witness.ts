import { Injectable } from '@nestjs/common';

export interface WitnessedHead {
  chain: string;
  seq: number;
  hash: string;
}

const MAX_PENDING_PER_CHAIN = 64;

/**
 * The chain heads this process wrote itself, not yet covered by a checkpoint. Checkpoints are
 * signed only over such heads (once their rows are committed): a row that someone inserted
 * straight into the database is never signed, so it shows up as not covered.
 */
@Injectable()
export class AuditWitness {
  private readonly pending = new Map<string, WitnessedHead[]>();
  private count = 0;
  private listener: ((count: number) => void) | null = null;

  /**
   * The heads one event moved (global, and its tenant's), as written in its transaction; or the
   * global head a link run moved (`events` 0: its events were counted when appended).
   */
  saw(heads: WitnessedHead[], events = 1): void {
    for (const head of heads) {
      let list = this.pending.get(head.chain);
      if (!list) this.pending.set(head.chain, (list = []));
      list.push(head);
      // Older entries are only needed when the newest rolled back; a few suffice.
      if (list.length > MAX_PENDING_PER_CHAIN) list.splice(0, list.length - MAX_PENDING_PER_CHAIN);
    }
    this.count += events;
    if (events > 0) this.listener?.(this.count);
  }

  /** Called with the number of events seen since the last `take` (to trigger checkpoints every N events). */
  onEvent(listener: (count: number) => void): void {
    this.listener = listener;
  }

  /** Candidates per chain, newest first. */
  snapshot(): Map<string, WitnessedHead[]> {
    this.count = 0;
    return new Map([...this.pending].map(([chain, list]) => [chain, [...list].reverse()]));
  }

  /** Forgets what a checkpoint now covers. */
  covered(chain: string, seq: number): void {
    const list = this.pending.get(chain);
    if (!list) return;
    const rest = list.filter((h) => h.seq > seq);
    if (rest.length) this.pending.set(chain, rest);
    else this.pending.delete(chain);
  }
}
