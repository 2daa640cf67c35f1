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

/**
 * Coalesces concurrent statements into fewer transactions. At most `maxInFlight` statements run at
 * once; an item that finds one free is sent alone at once (so a lone caller waits for nothing and
 * its statement is the single one), the items that arrive while all are busy are sent together as
 * one statement when one frees, at most `maxBatch` at a time. A batch the database refused is
 * retried item by item, so one item's failure is its caller's alone.
 */
export class StatementBatcher<A, R> {
  private inFlight = 0;
  private queue: Waiting<A, R>[] = [];

  constructor(
    private readonly statements: BatchStatements<A, R>,
    private readonly maxInFlight: number,
    private readonly maxBatch: number,
  ) {
    if (!(maxInFlight >= 1 && maxBatch >= 1)) throw new Error('a batcher needs at least one statement of one item');
  }

  submit(item: A): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.send(batch).finally(() => {
        this.inFlight -= 1;
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
