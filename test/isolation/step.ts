import type fc from 'fast-check';
import { checkInvariants } from './invariants.js';
import type { Model, World } from './model.js';

/**
 * One model command: says what it does in one line (the shrunk counterexample is a list of
 * these), runs against the service, compares with the model, then updates the model.
 */
export abstract class Step implements fc.AsyncCommand<Model, World> {
  /** Whether the command applies to the model as it is; fast-check skips it otherwise. */
  check(_m: Readonly<Model>): boolean {
    return true;
  }

  async run(m: Model, w: World): Promise<void> {
    try {
      await this.exec(m, w);
      w.stats.commands++;
      w.stats.kinds[this.constructor.name] = (w.stats.kinds[this.constructor.name] ?? 0) + 1;
      if (!w.shrinking && ++m.sinceCheck >= w.checkEvery) {
        m.sinceCheck = 0;
        await checkInvariants(m, w);
      }
    } catch (err) {
      // Shrinking replays ever shorter lists: one database check at the end of each is enough.
      w.shrinking = true;
      throw err;
    }
  }

  abstract exec(m: Model, w: World): Promise<void>;
  abstract toString(): string;
}
