/**
 * How many random cases a property test draws. FUZZ_RUNS is the share of CI's count, in percent: CI sets 100 and
 * draws every case a test names; the default, 25, draws a quarter of them, still hundreds, so that the quick loop
 * stays quick and each run still explores new ground (the seeds are random unless a test fixes one).
 */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 25);

/** `atCi` cases under CI's FUZZ_RUNS=100, in proportion otherwise, never fewer than one. */
export const fuzzRuns = (atCi: number): number => Math.max(1, Math.round((atCi * FUZZ_RUNS) / 100));
