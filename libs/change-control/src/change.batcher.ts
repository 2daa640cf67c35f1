/** How a batcher sends its statements: one item alone, or several in one statement. */
export interface BatchStatements<A, R> {
  /** One item, in its own statement (and transaction). */
  one(item: A): Promise<R>;
  /** Several items in one statement (and transaction), in the order given; answers in the same order. */
  many(items: readonly A[]): Promise<R[]>;
  /**
   * Whether a failed batch may be retried item by item: true when the database refused the batch's
   * transaction as a whole (nothing of it committed), false when the outcome is unknown (a lost
   * connection: it may have committed, so every item's caller gets the error).
   */
  retryAlone(err: unknown): boolean;
  /**
   * What an item's statement may wait on (its tenant): while a statement is stalled, later items
   * with one of its keys stay queued, so that a statement sent beside it does not wait on it too.
   */
  keyOf(item: A): string;
}

interface Waiting<A, R> {
  item: A;
  resolve(r: R): void;
  reject(e: unknown): void;
}

/** How many statements a batcher runs at once, and how large they get. */
export interface BatchLimits {
  /** Statements in flight at most, counting those past `stallMs`. */
  maxInFlight: number;
  /** Items in one statement at most. */
  maxBatch: number;
  /** A statement running longer than this (a lock wait, say) no longer holds the next one back. */
  stallMs: number;
}

/**
 * Coalesces concurrent statements into fewer transactions. One statement runs at a time: an item
 * that finds none running is sent alone at once (so a lone caller waits for nothing and its
 * statement is the single one), the items that arrive meanwhile are sent together as one statement
 * when it answers, at most `maxBatch` at a time. Each commit waits for the disk, and one commit for
 * many items is what makes them cheap: two statements at once halve the batches and cost more per
 * item (docs/scaling.md). Only a statement that runs past `stallMs` lets the next one go beside
 * it, up to `maxInFlight`, without the items that share a key (a tenant) with it: one stuck tenant
 * does not hold back every other's changes. A batch the database refused is retried item by item,
 * so one item's failure is its caller's alone.
 */
export class StatementBatcher<A, R> {
  private inFlight = 0;
  /** Statements in flight that have not yet run past `stallMs`. */
  private running = 0;
  private queue: Waiting<A, R>[] = [];
  /**
   * Keys of the items of stalled statements. No key is held twice: a batch is taken without the
   * keys held then, and the only statement that can stall after that is the batch itself.
   */
  private readonly stalledKeys = new Set<string>();

  constructor(
    private readonly statements: BatchStatements<A, R>,
    private readonly limits: BatchLimits,
  ) {
    const { maxInFlight, maxBatch, stallMs } = limits;
    // setTimeout turns a delay beyond 2^31 - 1 ms (or not finite) into 1 ms.
    if (!(maxInFlight >= 1 && maxBatch >= 1 && stallMs > 0 && stallMs <= 2 ** 31 - 1)) {
      throw new Error('a batcher needs at least one statement of one item, and a time (at most 2^31 - 1 ms) after which it is stalled');
    }
  }

  submit(item: A): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running === 0 && this.inFlight < this.limits.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.inFlight += 1;
      this.running += 1;
      let keys: string[] | undefined;
      const stall = setTimeout(() => {
        keys = batch.map((w) => this.statements.keyOf(w.item));
        for (const k of keys) this.stalledKeys.add(k);
        this.running -= 1;
        this.pump();
      }, this.limits.stallMs);
      stall.unref();
      void this.send(batch).finally(() => {
        clearTimeout(stall);
        this.inFlight -= 1;
        if (keys) for (const k of keys) this.stalledKeys.delete(k);
        else this.running -= 1;
        this.pump();
      });
    }
  }

  /** The next batch: queued items in order, but none whose key a stalled statement holds. */
  private take(): Waiting<A, R>[] {
    if (this.stalledKeys.size === 0) return this.queue.splice(0, this.limits.maxBatch);
    const batch: Waiting<A, R>[] = [];
    const kept: Waiting<A, R>[] = [];
    for (const w of this.queue) {
      if (batch.length < this.limits.maxBatch && !this.stalledKeys.has(this.statements.keyOf(w.item))) batch.push(w);
      else kept.push(w);
    }
    this.queue = kept;
    return batch;
  }

  private async send(batch: Waiting<A, R>[]): Promise<void> {
    try {
      if (batch.length === 1) return await this.alone(batch[0] as Waiting<A, R>);
      let rows: R[];
      try {
        rows = await this.statements.many(batch.map((w) => w.item));
      } catch (err) {
        if (!this.statements.retryAlone(err)) {
          for (const w of batch) w.reject(err);
          return;
        }
        // One at a time, as every other statement of the batcher.
        for (const w of batch) await this.alone(w);
        return;
      }
      if (rows.length !== batch.length) {
        const err = new Error(`a batch of ${batch.length} answered ${rows.length} rows`);
        for (const w of batch) w.reject(err);
        return;
      }
      batch.forEach((w, i) => w.resolve(rows[i] as R));
    } catch (err) {
      // Whatever failed (retryAlone, say), no caller is left unanswered (a settled one stays as it is).
      for (const w of batch) w.reject(err);
    }
  }

  private async alone(w: Waiting<A, R>): Promise<void> {
    try {
      w.resolve(await this.statements.one(w.item));
    } catch (err) {
      w.reject(err);
    }
  }
}
