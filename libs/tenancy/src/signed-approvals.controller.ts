import { Body, Controller, HttpCode, Inject, Put } from '@nestjs/common';
import { Answers, SchemaPipe } from '#http';
import { Caller, CheckPolicy, type PolicyContext } from '#policy';
import {
  SIGNED_APPROVALS_BODY,
  SIGNED_APPROVALS_VIEW_SCHEMA,
  SignedApprovalsSetting,
  type SignedApprovalsBody,
} from './signed-approvals.service.js';

/** PUT /v1/tenants/:tenant/signed-approvals: see SignedApprovalsSetting for who may change it, and how. */
@Controller('v1/tenants/:tenant/signed-approvals')
export class SignedApprovalsController {
  constructor(@Inject(SignedApprovalsSetting) private readonly setting: SignedApprovalsSetting) {}

  /** Reading the tenant suffices for the route; the setting admits operators and the tenant's client admins. */
  @Put()
  @HttpCode(200)
  @CheckPolicy('read', 'Tenant')
  @Answers(
    { 200: SIGNED_APPROVALS_VIEW_SCHEMA },
    {
      403: "lowering needs the tenant's client admin and a valid signature; compliance and services change nothing",
      409: 'the setting already has this value',
    },
  )
  change(@Caller() ctx: PolicyContext, @Body(new SchemaPipe(SIGNED_APPROVALS_BODY)) body: SignedApprovalsBody) {
    return this.setting.change(ctx, body);
  }
}
