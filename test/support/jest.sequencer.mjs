import { statSync } from 'node:fs';
import Sequencer from '@jest/test-sequencer';

/**
 * Longest files first, so that no worker is left running one long file while the others sit idle
 * at the end of the run. Jest knows the durations of the last run on this machine; on a clean
 * checkout (CI) it would fall back to file sizes, which put the isolation model (a small file, one of
 * the longest runs) last. Files known to be long carry an estimate instead; the others are estimated
 * from their size.
 */
const KNOWN_LONG_MS = [
  [/\/test\/isolation\/[^/]+\.e2e-spec\.ts$/, 60_000],
  [/\/test\/contract\/api-fuzz\.e2e-spec\.ts$/, 60_000],
  [/\/test\/console\/accessibility\.e2e-spec\.ts$/, 60_000],
  [/\/test\/e2e\/embedded-process\.e2e-spec\.ts$/, 40_000],
  [/\/test\/console\/[^/]+\.e2e-spec\.ts$/, 30_000],
];

export default class LongestFirst extends (Sequencer.default ?? Sequencer) {
  time(test) {
    const known = super.time(test);
    if (known != null) return known;
    const long = KNOWN_LONG_MS.find(([pattern]) => pattern.test(test.path));
    if (long) return long[1];
    // About half a second per kilobyte of test file.
    return statSync(test.path).size / 2;
  }
}
