import { Controller, Get, Inject, Query } from '@nestjs/common';
import { Caller, CheckPolicyOnObject, type PolicyContext } from '#policy';
import { Answers, SchemaPipe } from '#http';
import { INBOX_QUERY, INBOX_SCHEMA, InboxService } from './inbox.service.js';

@Controller()
export class InboxController {
  constructor(@Inject(InboxService) private readonly inbox: InboxService) {}

  /**
   * What awaits the caller's approval, across the tenants the caller may read. Each item's tenant
   * decides whether the caller may approve it, as a path's tenant would: the service judges.
   */
  @Get('v1/inbox')
  @CheckPolicyOnObject('approve', 'ChangeRequest')
  @Answers({ 200: INBOX_SCHEMA })
  list(@Caller() ctx: PolicyContext, @Query(new SchemaPipe(INBOX_QUERY, 'query')) _q: Record<string, never>) {
    return this.inbox.of(ctx);
  }
}
