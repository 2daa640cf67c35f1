import { ForbiddenException, Injectable } from '@nestjs/common';
import type { PrismaTx } from '#persistence';
import { lineageRefusal, type LineageOf, type LineageRefusal } from './lineage.rule.js';

/** One approval path's question: does `approverId` count, given the requester and the approvals counted so far? */
export interface ApprovalFacts {
  approverId: string;
  requesterId: string | null;
  countedIds: readonly string[];
  filedAt: Date;
}

/** Reads lineages inside any scope (operators are invisible in a tenant's) and applies the lineage rule. */
@Injectable()
export class LineageReader {
  async lineages(tx: PrismaTx, ids: readonly string[]): Promise<Map<string, LineageOf>> {
    const unique = [...new Set(ids)];
    const rows = unique.length
      ? await tx.$queryRaw<
          { id: string; lineage_id: string; created_at: Date }[]
        >`SELECT * FROM cloison_principal_lineages(${unique}::text[])`
      : [];
    const found = new Map(rows.map((r) => [r.id, { principalId: r.id, lineageId: r.lineage_id, createdAt: r.created_at }]));
    // Someone not stored here (identity-provider staff) is their own person.
    return new Map(unique.map((id) => [id, found.get(id) ?? { principalId: id, lineageId: id, createdAt: null }]));
  }

  /** Why `facts.approverId`'s approval would not count, from lineages read already; null when it counts. */
  refusal(all: ReadonlyMap<string, LineageOf>, facts: ApprovalFacts): LineageRefusal | null {
    const of = (id: string): LineageOf => all.get(id) ?? { principalId: id, lineageId: id, createdAt: null };
    return lineageRefusal(of(facts.approverId), facts.requesterId ? of(facts.requesterId) : null, facts.countedIds.map(of), facts.filedAt);
  }

  /** The 403 naming the rule when the approval would not count; null when it counts. */
  async countsRefusal(tx: PrismaTx, facts: ApprovalFacts): Promise<ForbiddenException | null> {
    const all = await this.lineages(tx, [facts.approverId, ...(facts.requesterId ? [facts.requesterId] : []), ...facts.countedIds]);
    const refusal = this.refusal(all, facts);
    return refusal
      ? new ForbiddenException({ message: refusal.message, details: [{ pointer: '/', rule: refusal.rule, message: refusal.message }] })
      : null;
  }
}
