import { describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { fuzzRuns } from '#test/support/fuzz-runs';
import { StatementBatcher, type BatchStatements } from './change.batcher.js';

/** Statements that answer `item * 10`, fail the items in `failing`, and record what was sent how. */
function recorder(failing = new Set<number>(), lost = false) {
  const sent: { alone?: number; batch?: number[] }[] = [];
  let running = 0;
  let mostRunning = 0;
  const pending: (() => void)[] = [];
  const hold = async () => {
    running += 1;
    mostRunning = Math.max(mostRunning, running);
    await new Promise<void>((r) => pending.push(r));
    running -= 1;
  };
  const statements: BatchStatements<number, number> = {
    async one(item) {
      sent.push({ alone: item });
      await hold();
      if (failing.has(item)) throw new Error(`item ${item} refused`);
      return item * 10;
    },
    async many(items) {
      sent.push({ batch: [...items] });
      await hold();
      if (items.some((i) => failing.has(i))) throw lost ? new Error('connection lost') : new Error('batch refused');
      return items.map((i) => i * 10);
    },
    retryAlone: (err) => (err as Error).message !== 'connection lost',
    // Items 1, 11, 21… share a key (a tenant, for the option store).
    keyOf: (item) => String(item % 10),
  };
  /** Lets every statement sent so far answer, until none is left. */
  const drain = async () => {
    for (let spins = 0; spins < 1000; spins++) {
      await new Promise((r) => setImmediate(r));
      const now = pending.splice(0);
      if (now.length === 0 && running === 0) return;
      for (const r of now) r();
    }
  };
  return { statements, sent, drain, mostRunning: () => mostRunning, running: () => running };
}

/** Limits under which no statement stalls within a test. */
const limits = (maxInFlight: number, maxBatch = 64, stallMs = 60_000) => ({ maxInFlight, maxBatch, stallMs });
const tick = () => new Promise((r) => setImmediate(r));

describe('StatementBatcher', () => {
  it('sends a lone item alone, at once', async () => {
    const r = recorder();
    const batcher = new StatementBatcher(r.statements, limits(2));
    const answer = batcher.submit(1);
    await r.drain();
    await expect(answer).resolves.toBe(10);
    expect(r.sent).toEqual([{ alone: 1 }]);
  });

  it('runs one statement at a time: what arrives meanwhile goes together, and each caller gets its own row', async () => {
    const r = recorder();
    const batcher = new StatementBatcher(r.statements, limits(4));
    const answers = [1, 2, 3, 4, 5].map((i) => batcher.submit(i));
    await r.drain();
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30, 40, 50]);
    expect(r.sent).toEqual([{ alone: 1 }, { batch: [2, 3, 4, 5] }]);
    expect(r.mostRunning()).toBe(1);
  });

  it('a statement stalled past stallMs lets the next run beside it, up to maxInFlight', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const r = recorder();
      const batcher = new StatementBatcher(r.statements, limits(2, 64, 30));
      const answers = [batcher.submit(1), batcher.submit(2)];
      jest.advanceTimersByTime(29);
      await tick();
      expect(r.sent).toEqual([{ alone: 1 }]);
      // Statement 1 is held (a lock wait, say): once it is past stallMs, item 2 goes without it.
      jest.advanceTimersByTime(1);
      await tick();
      expect(r.sent).toEqual([{ alone: 1 }, { alone: 2 }]);
      // Both stalled, and two in flight is the cap: item 3 waits for one of them to answer.
      answers.push(batcher.submit(3));
      jest.advanceTimersByTime(60);
      await tick();
      expect(r.sent).toHaveLength(2);
      expect(r.running()).toBe(2);
      await r.drain();
      await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30]);
      expect(r.sent).toEqual([{ alone: 1 }, { alone: 2 }, { alone: 3 }]);
    } finally {
      jest.useRealTimers();
    }
  });

  it("a stalled statement's keys hold back their later items, and only those", async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const r = recorder();
      const batcher = new StatementBatcher(r.statements, limits(3, 64, 30));
      const answers = [batcher.submit(1)];
      await tick();
      // 11 shares 1's key (its tenant): were it sent beside 1, it would wait on 1's lock too.
      answers.push(batcher.submit(11), batcher.submit(2), batcher.submit(3));
      jest.advanceTimersByTime(30);
      await tick();
      expect(r.sent).toEqual([{ alone: 1 }, { batch: [2, 3] }]);
      await r.drain();
      await expect(Promise.all(answers)).resolves.toEqual([10, 110, 20, 30]);
      expect(r.sent).toEqual([{ alone: 1 }, { batch: [2, 3] }, { alone: 11 }]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers every caller even when deciding on a failed batch fails', async () => {
    const r = recorder(new Set([2]));
    r.statements.retryAlone = () => {
      throw new Error('cannot tell');
    };
    const batcher = new StatementBatcher(r.statements, limits(1));
    const answers = [1, 2, 3].map((i) => batcher.submit(i).catch((e: Error) => e.message));
    await r.drain();
    await expect(Promise.all(answers)).resolves.toEqual([10, 'cannot tell', 'cannot tell']);
  });

  it('refuses limits that would never send anything', () => {
    const r = recorder();
    expect(() => new StatementBatcher(r.statements, limits(0))).toThrow();
    expect(() => new StatementBatcher(r.statements, limits(1, 0))).toThrow();
    expect(() => new StatementBatcher(r.statements, limits(1, 1, 0))).toThrow();
    expect(() => new StatementBatcher(r.statements, limits(1, 1, 2 ** 31))).toThrow();
    expect(() => new StatementBatcher(r.statements, limits(1, 1, Number.POSITIVE_INFINITY))).toThrow();
  });

  it("retries a refused batch item by item: one item's failure is its caller's alone", async () => {
    const r = recorder(new Set([4]));
    const batcher = new StatementBatcher(r.statements, limits(1));
    const answers = [1, 2, 3, 4, 5].map((i) => batcher.submit(i).catch((e: Error) => e.message));
    await r.drain();
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30, 'item 4 refused', 50]);
    expect(r.sent).toEqual([{ alone: 1 }, { batch: [2, 3, 4, 5] }, { alone: 2 }, { alone: 3 }, { alone: 4 }, { alone: 5 }]);
    expect(r.mostRunning()).toBe(1);
  });

  it('never retries a batch whose outcome is unknown: every caller gets the error', async () => {
    const r = recorder(new Set([3]), true);
    const batcher = new StatementBatcher(r.statements, limits(1));
    const answers = [1, 2, 3].map((i) => batcher.submit(i).catch((e: Error) => e.message));
    await r.drain();
    await expect(Promise.all(answers)).resolves.toEqual([10, 'connection lost', 'connection lost']);
  });

  it('whatever arrives when: each item is sent exactly once (or retried alone), within the bounds, and answered its own row', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 39 }), { maxLength: 5 }),
        async (maxInFlight, maxBatch, gaps, failingItems) => {
          const failing = new Set(failingItems);
          const r = recorder(failing);
          const batcher = new StatementBatcher(r.statements, limits(maxInFlight, maxBatch));
          const answers: Promise<number | string>[] = [];
          for (const [i, gap] of gaps.entries()) {
            for (let g = 0; g < gap; g++) await new Promise((done) => setImmediate(done));
            answers.push(batcher.submit(i).catch(() => 'failed'));
          }
          await r.drain();
          expect(await Promise.all(answers)).toEqual(gaps.map((_, i) => (failing.has(i) ? 'failed' : i * 10)));
          // One statement at a time (none stalls here), a refused batch's retries included.
          expect(r.mostRunning()).toBe(1);
          for (const s of r.sent) expect((s.batch ?? [0]).length).toBeLessThanOrEqual(maxBatch);
          // Each item was sent once, and once more alone when the batch it was in was refused.
          const refused = new Set(r.sent.filter((s) => s.batch?.some((i) => failing.has(i))).flatMap((s) => s.batch ?? []));
          const counts = new Map<number, number>();
          for (const i of r.sent.flatMap((s) => s.batch ?? [s.alone as number])) counts.set(i, (counts.get(i) ?? 0) + 1);
          expect([...counts].sort(([a], [b]) => a - b)).toEqual(gaps.map((_, i) => [i, refused.has(i) ? 2 : 1]));
        },
      ),
      { numRuns: fuzzRuns(200) },
    );
  });
});
