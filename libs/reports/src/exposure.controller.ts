import { Controller, Get, Inject } from '@nestjs/common';
import { Caller, CheckPolicy, type PolicyContext } from '#policy';
import { EXPOSURE_REPORT_SCHEMA, ExposureService } from './exposure.service.js';
import { Answers } from '#http';

@Controller()
export class ExposureController {
  constructor(@Inject(ExposureService) private readonly exposure: ExposureService) {}

  /** Every tenant the caller may read (operators, compliance). */
  @Get('v1/reports/exposure')
  @CheckPolicy('read', 'ExposureReport')
  @Answers({ 200: EXPOSURE_REPORT_SCHEMA })
  across(@Caller() ctx: PolicyContext) {
    return this.exposure.across(ctx);
  }

  /** One tenant, for its own client admin too. */
  @Get('v1/tenants/:tenant/reports/exposure')
  @CheckPolicy('read', 'ExposureReport')
  @Answers({ 200: EXPOSURE_REPORT_SCHEMA })
  forTenant(@Caller() ctx: PolicyContext) {
    return this.exposure.forTenant(ctx);
  }
}
