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
 * it, up to `maxInFlight`, so that one stuck tenant does not hold back every other's changes. A
 * batch the database refused is retried item by item, so one item's failure is its caller's alone.
 */
export class StatementBatcher<A, R> {
  private inFlight = 0;
  /** Statements in flight that have not yet run past `stallMs`. */
  private running = 0;
  private queue: Waiting<A, R>[] = [];

  constructor(
    private readonly statements: BatchStatements<A, R>,
    private readonly limits: BatchLimits,
  ) {
    if (!(limits.maxInFlight >= 1 && limits.maxBatch >= 1 && limits.stallMs > 0)) {
      throw new Error('a batcher needs at least one statement of one item, and a time after which it is stalled');
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
      const batch = this.queue.splice(0, this.limits.maxBatch);
      this.inFlight += 1;
      this.running += 1;
      let stalled = false;
      const stall = setTimeout(() => {
        stalled = true;
        this.running -= 1;
        this.pump();
      }, this.limits.stallMs);
      stall.unref();
      void this.send(batch).finally(() => {
        clearTimeout(stall);
        this.inFlight -= 1;
        if (!stalled) this.running -= 1;
        this.pump();
      });
    }
  }

  private async send(batch: Waiting<A, R>[]): Promise<void> {
    if (batch.length === 1) return this.alone(batch[0] as Waiting<A, R>);
    let rows: R[];
    try {
      rows = await this.statements.many(batch.map((w) => w.item));
    } catch (err) {
      if (!this.statements.retryAlone(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      await Promise.all(batch.map((w) => this.alone(w)));
      return;
    }
    if (rows.length !== batch.length) {
      const err = new Error(`a batch of ${batch.length} answered ${rows.length} rows`);
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => w.resolve(rows[i] as R));
  }

  private async alone(w: Waiting<A, R>): Promise<void> {
    try {
      w.resolve(await this.statements.one(w.item));
    } catch (err) {
      w.reject(err);
    }
  }
}
