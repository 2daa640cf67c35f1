/**
 * At most `limit` calls of `run` in flight at once; the others wait in arrival order. Used in
 * front of statements that all queue on one database lock (the global audit chain head): past a
 * few, more concurrent statements only add backends that sleep on the lock and wake to compete
 * for the CPU with the one holding it.
 */
export class InflightLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`in-flight limit must be a positive integer, not ${limit}`);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
