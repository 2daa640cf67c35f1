import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { Caller, CheckPolicy, type PolicyContext } from '#policy';
import { SchemaPipe } from '#http';
import { BULK_CHANGE_BODY, type BulkChangeBody } from './bulk-changes.schemas.js';
import { BULK_PLAN_SCHEMA, BULK_RESULT_SCHEMA, BulkChangesService } from './bulk-changes.service.js';
import { Answers, CHANGE_REFUSALS } from '#http';

@Controller('v1/bulk-changes')
export class BulkChangesController {
  constructor(@Inject(BulkChangesService) private readonly bulk: BulkChangesService) {}

  /** `dryRun: true` returns the plan and its hash; applying echoes that hash. */
  @Post()
  @HttpCode(200)
  @CheckPolicy('create', 'BulkChange')
  @Answers({ 200: { anyOf: [BULK_PLAN_SCHEMA, BULK_RESULT_SCHEMA] } }, CHANGE_REFUSALS)
  run(@Caller() ctx: PolicyContext, @Body(new SchemaPipe(BULK_CHANGE_BODY)) body: BulkChangeBody) {
    return body.dryRun ? this.bulk.plan(ctx, body) : this.bulk.apply(ctx, body);
  }
}
