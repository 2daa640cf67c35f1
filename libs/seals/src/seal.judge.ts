import { standing, type ApprovalBar } from '#change-control';
import { clientStandings, type LineageReader } from '#identity';
import type { PrismaTx } from '#persistence';
import type { PolicyContext } from '#policy';
import { STEP_STATUS, sealStepBar, stepFiling, type SealPurpose } from './seal-step.rule.js';
import { toSealView, type SealRow, type SealView } from './seal.view.js';

const POLICY_ACTION: Record<SealPurpose, 'approve' | 'lift' | 'break_glass'> = {
  activate: 'approve',
  lift: 'lift',
  break_glass: 'break_glass',
};
const PURPOSES: SealPurpose[] = ['activate', 'lift', 'break_glass'];

/**
 * The facts the seal step rules read about the caller and a tenant's seals (who acts for the client,
 * lineages), read once: the step routes judge with them, and views show the same judgement so that
 * clients offer only what the routes accept.
 */
export async function sealJudge(tx: PrismaTx, lineages: LineageReader, ctx: PolicyContext, tenantId: string, rows: SealRow[]) {
  const me = ctx.principal;
  const ids = [me.id, ...rows.flatMap((r) => [r.proposedById, ...r.approvals.map((a) => a.principalId)])];
  const standingOf = await clientStandings(tx, tenantId, ids);
  const known = await lineages.lineages(tx, ids);
  const mine = { id: me.id, role: me.role, forClient: standingOf(me).forClient };
  const withStanding = (row: SealRow) => ({
    ...row,
    approvals: row.approvals.map((a) => ({ ...a, forClient: standingOf({ id: a.principalId, role: a.role }).forClient })),
  });
  /** Why the caller's approval towards `purpose` would be refused; null when it would count. */
  const bar = (row: SealRow, purpose: SealPurpose, now = new Date()): ApprovalBar | null => {
    const seal = withStanding(row);
    return sealStepBar(mine, seal, purpose, (countedIds) =>
      lineages.refusal(known, { approverId: me.id, ...stepFiling(seal, purpose, now), countedIds }),
    );
  };
  const view = (row: SealRow, tenantSlug: string): SealView => {
    const yourSteps = PURPOSES.filter((p) => STEP_STATUS[p] === row.status).map((purpose) => ({
      purpose,
      ...standing(
        ctx.ability.can(POLICY_ACTION[purpose], 'Seal')
          ? bar(row, purpose)
          : { rule: 'policy', message: `role ${me.role} may not ${POLICY_ACTION[purpose]} Seal` },
      ),
    }));
    return toSealView(row, tenantSlug, { standing: standingOf, yourSteps });
  };
  return { mine, withStanding, bar, view };
}
