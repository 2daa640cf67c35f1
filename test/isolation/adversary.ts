import fc from 'fast-check';
import { captureBaseline } from './adversary-invariants.js';
import { openingMoves } from './adversary-opening.js';
import { AdversaryStep, type AdversaryRun } from './adversary-steps.js';
import { advPick } from './adversary-values.js';
import { prepareHonestWorld, type AdvTenant } from './adversary-world.js';
import type { World } from './model.js';

export interface AdversaryOptions {
  /** Stop once this many adversary moves have run. */
  minSteps: number;
  stepsPerRun: number;
  seed: number;
  /** Time one run may take, shrinking a failure included. */
  runBudgetMs: number;
}

/**
 * One operator acting alone (docs/security.md, "Trust model"): each run prepares a world with
 * honest people (prepareHonestWorld), then the first bootstrap operator makes random moves with
 * every principal it can get; checkAdversaryWorld holds after each. Run k uses seed `seed + k`;
 * a failure throws fast-check's report with the shrunk list of moves. Returns what the moves met.
 */
export async function runAdversary(w: World, o: AdversaryOptions): Promise<{ runs: number; tally: Record<string, number> }> {
  const tally: Record<string, number> = {};
  const first = w.stats.commands;
  let k = 0;
  while (w.stats.commands - first < o.minSteps) {
    await fc.assert(
      fc.asyncProperty(
        fc.commands([advPick.map((p) => new AdversaryStep(p))], { maxCommands: o.stepsPerRun, size: 'max' }),
        async (cmds) => {
          await fc.asyncModelRun(async () => {
            const known = new Set(w.tenants.map((t) => t.id));
            const model = await prepareHonestWorld(w, []);
            // Tenants outside this run (earlier runs, the honest model's): a tenant-bound principal gets 404 there.
            model.foreign = w.tenants.filter((t) => known.has(t.id)).map((t): AdvTenant => ({ ...t, riskLevel: 0, sealed: false }));
            const run: AdversaryRun = { model, baseline: await captureBaseline(model, w), tally };
            await openingMoves(run, w);
            return { model: run, real: w };
          }, cmds);
        },
      ),
      { seed: o.seed + k, numRuns: 1, endOnFailure: false, interruptAfterTimeLimit: o.runBudgetMs, markInterruptAsFailure: true },
    );
    k++;
  }
  return { runs: k, tally };
}
