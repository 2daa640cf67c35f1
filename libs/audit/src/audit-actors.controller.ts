import { Controller, Get, Inject, Query } from '@nestjs/common';
import { Caller, CheckPolicy, type PolicyContext } from '#policy';
import { Answers, SchemaPipe } from '#http';
import { AUDIT_ACTORS_QUERY } from './audit.schemas.js';
import { AUDIT_ACTORS_SCHEMA, AuditActorsService } from './audit-actors.service.js';

const NO_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;

@Controller()
export class AuditActorsController {
  constructor(@Inject(AuditActorsService) private readonly actors: AuditActorsService) {}

  @Get('v1/audit/actors')
  @CheckPolicy('read', 'AuditEvent')
  @Answers({ 200: AUDIT_ACTORS_SCHEMA })
  across(@Caller() ctx: PolicyContext, @Query(new SchemaPipe(AUDIT_ACTORS_QUERY, 'query')) q: { tenant?: string }) {
    return this.actors.across(ctx, q.tenant);
  }

  @Get('v1/tenants/:tenant/audit/actors')
  @CheckPolicy('read', 'AuditEvent')
  @Answers({ 200: AUDIT_ACTORS_SCHEMA })
  forTenant(@Caller() ctx: PolicyContext, @Query(new SchemaPipe(NO_QUERY, 'query')) _q: Record<string, never>) {
    return this.actors.forTenant(ctx);
  }
}
