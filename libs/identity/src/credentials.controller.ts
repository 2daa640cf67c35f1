import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { Answers, SchemaPipe } from '#http';
import { Caller, CheckPolicy, type PolicyContext } from '#policy';
import { Credentials, type NewCredential } from './credential.service.js';
import { CREDENTIAL_VIEW_SCHEMA, ENROL_CREDENTIAL_BODY, REMOVE_CREDENTIAL_BODY } from './credentials.schemas.js';

const REFUSALS = {
  403: 'only operators and client admins enrol signing keys',
  409: 'the key is already enrolled',
  422: 'the key or passkey registration does not verify',
};

/**
 * The caller's own signing keys. Any valid token passes the route policy (as for GET /v1/me);
 * the service admits only the roles that approve.
 */
@Controller('v1/me/credentials')
export class CredentialsController {
  constructor(@Inject(Credentials) private readonly credentials: Credentials) {}

  @Get()
  @CheckPolicy('read', 'Registry')
  @Answers({ 200: { type: 'array', items: CREDENTIAL_VIEW_SCHEMA } })
  list(@Caller() ctx: PolicyContext) {
    return this.credentials.list(ctx.principal);
  }

  @Post('registration-options')
  @HttpCode(200)
  @CheckPolicy('read', 'Registry')
  @Answers({ 200: { type: 'object' } }, { 403: REFUSALS[403] })
  options(@Caller() ctx: PolicyContext) {
    return this.credentials.registrationOptions(ctx.principal);
  }

  @Post()
  @HttpCode(201)
  @CheckPolicy('read', 'Registry')
  @Answers({ 201: CREDENTIAL_VIEW_SCHEMA }, REFUSALS)
  enrol(@Caller() ctx: PolicyContext, @Body(new SchemaPipe(ENROL_CREDENTIAL_BODY)) body: NewCredential) {
    return this.credentials.enrol(ctx.principal, body, ctx.requestId);
  }

  @Post('remove')
  @HttpCode(200)
  @CheckPolicy('read', 'Registry')
  @Answers({ 200: CREDENTIAL_VIEW_SCHEMA }, { 403: REFUSALS[403] })
  remove(@Caller() ctx: PolicyContext, @Body(new SchemaPipe(REMOVE_CREDENTIAL_BODY)) body: { fingerprint: string }) {
    return this.credentials.remove(ctx.principal, body.fingerprint, ctx.requestId);
  }
}
