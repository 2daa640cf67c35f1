import fc from 'fast-check';
import { InflightLimiter } from './inflight.limiter.js';

describe('InflightLimiter', () => {
  it('never runs more than its limit at once, runs every call once, in arrival order, failures included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.tuple(fc.nat(3), fc.boolean()), { maxLength: 30 }), async (limit, calls) => {
        const limiter = new InflightLimiter(limit);
        let active = 0;
        let peak = 0;
        const started: number[] = [];
        const results = await Promise.allSettled(
          calls.map(([ticks, fails], i) =>
            limiter.run(async () => {
              started.push(i);
              peak = Math.max(peak, ++active);
              for (let k = 0; k < ticks; k++) await Promise.resolve();
              active--;
              if (fails) throw new Error(`call ${i}`);
              return i;
            }),
          ),
        );
        expect(peak).toBeLessThanOrEqual(limit);
        expect(started).toEqual(calls.map((_, i) => i));
        expect(results.map((r) => r.status)).toEqual(calls.map(([, fails]) => (fails ? 'rejected' : 'fulfilled')));
      }),
    );
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new InflightLimiter(0)).toThrow(/positive integer/);
    expect(() => new InflightLimiter(1.5)).toThrow(/positive integer/);
  });
});
