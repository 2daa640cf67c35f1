import { Controller, Get, Inject, Query } from '@nestjs/common';
import { Caller, CheckPolicy, type PolicyContext } from '#policy';
import { SchemaPipe } from '#http';
import { AUDIT_QUERY, TENANT_AUDIT_QUERY, type AuditQuery } from './audit.schemas.js';
import { AUDIT_PAGE_SCHEMA, AuditService } from './audit.service.js';
import { Answers } from '#http';

@Controller()
export class AuditController {
  constructor(@Inject(AuditService) private readonly audit: AuditService) {}

  @Get('v1/audit')
  @CheckPolicy('read', 'AuditEvent')
  @Answers({ 200: AUDIT_PAGE_SCHEMA })
  across(@Caller() ctx: PolicyContext, @Query(new SchemaPipe(AUDIT_QUERY, 'query')) q: AuditQuery) {
    return this.audit.across(ctx, q);
  }

  @Get('v1/tenants/:tenant/audit')
  @CheckPolicy('read', 'AuditEvent')
  @Answers({ 200: AUDIT_PAGE_SCHEMA })
  forTenant(@Caller() ctx: PolicyContext, @Query(new SchemaPipe(TENANT_AUDIT_QUERY, 'query')) q: AuditQuery) {
    return this.audit.forTenant(ctx, q);
  }
}
