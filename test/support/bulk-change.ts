import type { Response } from 'supertest';
import type { Caller } from './test-app.js';

/** What a dry run of POST /v1/bulk-changes answers. */
export interface BulkPlan {
  planHash: string;
  tenants: { tenant: string; version: number; before: unknown; after: unknown; changes: boolean; needsApproval: boolean }[];
}

/** The dry run of a bulk change (200 expected): what it would do and the hash that applies it. */
export async function bulkPlan(caller: Caller, body: object): Promise<BulkPlan> {
  return (
    await caller
      .post('/v1/bulk-changes')
      .send({ ...body, dryRun: true })
      .expect(200)
  ).body as BulkPlan;
}

/** A bulk change as people make one: the dry run, then the same body with its plan hash, answered `status`. */
export async function bulkChange(caller: Caller, body: object, status = 200): Promise<{ plan: BulkPlan; res: Response }> {
  const plan = await bulkPlan(caller, body);
  const res = await caller
    .post('/v1/bulk-changes')
    .send({ ...body, planHash: plan.planHash })
    .expect(status);
  return { plan, res };
}
