import { Controller, Get, Inject, Query } from '@nestjs/common';
import { Caller, CheckPolicy, type PolicyContext } from '#policy';
import { Answers, SchemaPipe } from '#http';
import { TENANT_STATUS_SCHEMA, TenantStatusService } from './tenant-status.service.js';

const NO_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;

@Controller()
export class TenantStatusController {
  constructor(@Inject(TenantStatusService) private readonly status: TenantStatusService) {}

  /** Seal and pending approvals of every tenant the caller may read (operators, compliance). */
  @Get('v1/reports/tenant-status')
  @CheckPolicy('read', 'Tenant')
  @Answers({ 200: TENANT_STATUS_SCHEMA })
  list(@Caller() ctx: PolicyContext, @Query(new SchemaPipe(NO_QUERY, 'query')) _q: Record<string, never>) {
    return this.status.list(ctx);
  }
}
