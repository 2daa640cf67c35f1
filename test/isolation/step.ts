import type fc from 'fast-check';
import { checkInvariants } from './invariants.js';
import type { Model, World } from './model.js';

/**
 * One model command: says what it does in one line (the shrunk counterexample is a list of
 * these), runs against the service, compares with the model, then updates the model.
 */
export abstract class Step implements fc.AsyncCommand<Model, World> {
  check(): boolean {
    return true;
  }

  async run(m: Model, w: World): Promise<void> {
    await this.exec(m, w);
    w.stats.commands++;
    if (++m.sinceCheck >= w.checkEvery) {
      m.sinceCheck = 0;
      await checkInvariants(m, w);
    }
  }

  abstract exec(m: Model, w: World): Promise<void>;
  abstract toString(): string;
}
