import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CHANGE_REQUEST_VIEW_SCHEMA, type ChangeRequestView } from './change-request.store.js';
import { OPTION_VIEW_SCHEMA, type Change, type OptionView } from './option-view.js';
import { ChangeGate } from './change.gate.js';
import { isNoop } from './change.rules.js';
import { RuleConflict } from './change-errors.js';
import { approvalRequirement } from './approval-policy.js';
import { sha256Canonical } from './content-hash.js';
import type { PrismaTx } from '#persistence';
import type { PolicyContext } from '#policy';
import {
  ANY_JSON,
  BOOLEAN,
  INTEGER,
  Registry,
  STRING,
  arrayOf,
  objectOf,
  oneOfStrings,
  type JsonValue,
  type OptionDefinition,
} from '#registry';
import { TenantDirectory, TenantScopeService, type TenantRef } from '#tenancy';
import type { BulkChangeBody } from './bulk-changes.schemas.js';

export interface PlannedTenant {
  tenant: string;
  version: number;
  before: unknown;
  after: unknown;
  changes: boolean;
  needsApproval: boolean;
}

export interface BulkPlan {
  option: string;
  operation: 'set' | 'reset';
  value?: unknown;
  reason: string;
  tenants: PlannedTenant[];
  /** SHA-256 of the canonical plan (everything above): echo it to apply exactly this. */
  planHash: string;
}

export interface BulkResult {
  bulkId: string;
  planHash: string;
  results: { tenant: string; outcome: 'applied' | 'pending' | 'unchanged'; option?: OptionView; request?: ChangeRequestView }[];
}

export const BULK_PLAN_SCHEMA = objectOf(
  {
    option: STRING,
    operation: oneOfStrings(['set', 'reset']),
    value: ANY_JSON,
    reason: STRING,
    tenants: arrayOf(
      objectOf({ tenant: STRING, version: INTEGER, before: ANY_JSON, after: ANY_JSON, changes: BOOLEAN, needsApproval: BOOLEAN }),
    ),
    planHash: STRING,
  },
  ['value'],
);

export const BULK_RESULT_SCHEMA = objectOf({
  bulkId: STRING,
  planHash: STRING,
  results: arrayOf(
    objectOf(
      {
        tenant: STRING,
        outcome: oneOfStrings(['applied', 'pending', 'unchanged']),
        option: OPTION_VIEW_SCHEMA,
        request: CHANGE_REQUEST_VIEW_SCHEMA,
      },
      ['option', 'request'],
    ),
  ),
});

/**
 * A change over an explicit list of tenants. The dry run shows each tenant's effective value
 * before and after; applying re-plans under row locks, refuses if the plan's hash differs from
 * the one echoed, then passes each tenant's change through the change gate, all in one transaction.
 */
@Injectable()
export class BulkChangesService {
  constructor(
    @Inject(TenantScopeService) private readonly scopes: TenantScopeService,
    @Inject(TenantDirectory) private readonly directory: TenantDirectory,
    @Inject(Registry) private readonly registry: Registry,
    @Inject(ChangeGate) private readonly gate: ChangeGate,
  ) {}

  async plan(ctx: PolicyContext, body: BulkChangeBody): Promise<BulkPlan> {
    const { def, change, tenants } = await this.prepare(ctx, body);
    return this.scopes.runAcross(
      tenants.map((t) => t.id),
      (tx, enter) => this.planIn(tx, enter, body, def, change, tenants),
    );
  }

  async apply(ctx: PolicyContext, body: BulkChangeBody): Promise<BulkResult> {
    const { def, change, tenants } = await this.prepare(ctx, body);
    const bulkId = randomUUID();
    const actor = { id: ctx.principal.id, name: ctx.principal.name, role: ctx.principal.role };
    const result = await this.scopes.runAcross(
      tenants.map((t) => t.id),
      async (tx, enter) => {
        const plan = await this.planIn(tx, enter, body, def, change, tenants);
        if (plan.planHash !== body.planHash) {
          throw new RuleConflict(
            "the tenants' values changed since the dry run (or the request differs from it); run the dry run again",
            'plan_hash',
            '/planHash',
          );
        }
        const results: BulkResult['results'] = [];
        for (const tenant of tenants) {
          await enter(tenant.id);
          const origin = { actor, reason: `${body.reason} (bulk change ${bulkId})`, requestId: ctx.requestId };
          const out = await this.gate.submit(tx, tenant, def, change, origin);
          results.push(
            out.kind === 'pending'
              ? { tenant: tenant.slug, outcome: 'pending', request: out.request }
              : { tenant: tenant.slug, outcome: out.kind, option: out.option },
          );
        }
        return { bulkId, planHash: plan.planHash, results };
      },
    );
    return result;
  }

  private async prepare(ctx: PolicyContext, body: BulkChangeBody) {
    const def = this.registry.find(body.option);
    if (!def)
      throw new NotFoundException({
        message: `unknown option "${body.option}"`,
        details: [{ pointer: '/option', rule: 'exists', message: 'no such option' }],
      });
    if (def.risk === 'critical') {
      const message = `option "${def.key}" is critical: it is changed one tenant at a time, never in bulk`;
      throw new BadRequestException({ message, details: [{ pointer: '/option', rule: 'critical_not_bulk', message }] });
    }
    const change: Change = body.operation === 'set' ? { isSet: true, value: body.value as JsonValue } : { isSet: false };
    this.gate.check(def, change);
    const tenants: TenantRef[] = [];
    for (const [i, slug] of body.tenants.entries()) {
      const tenant = await this.directory.resolve(ctx.principal, slug);
      if (!tenant) {
        throw new NotFoundException({
          message: `tenant "${slug}" not found`,
          details: [{ pointer: `/tenants/${i}`, rule: 'exists', message: 'no such tenant' }],
        });
      }
      tenants.push(tenant);
    }
    // A fixed order keeps concurrent bulk changes from locking rows in opposite orders.
    tenants.sort((a, b) => (a.id < b.id ? -1 : 1));
    return { def, change, tenants };
  }

  private async planIn(
    tx: PrismaTx,
    enter: (id: string) => Promise<void>,
    body: BulkChangeBody,
    def: OptionDefinition,
    change: Change,
    tenants: TenantRef[],
  ): Promise<BulkPlan> {
    const planned: PlannedTenant[] = [];
    for (const tenant of tenants) {
      await enter(tenant.id);
      const before = await this.gate.current(tx, tenant, def);
      const after = change.isSet ? change.value : def.default;
      planned.push({
        tenant: tenant.slug,
        version: before.version,
        before: before.value,
        after,
        changes: !isNoop(before, change),
        needsApproval: approvalRequirement(def, tenant.riskLevel) !== null,
      });
    }
    planned.sort((a, b) => (a.tenant < b.tenant ? -1 : 1));
    const content = {
      option: def.key,
      operation: body.operation,
      ...(change.isSet ? { value: change.value } : {}),
      reason: body.reason,
      tenants: planned,
    };
    return { ...content, planHash: sha256Canonical(content) };
  }
}
