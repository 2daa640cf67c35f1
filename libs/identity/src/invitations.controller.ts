import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Caller, CheckPolicy, Public, type PolicyContext } from '#policy';
import { SchemaPipe } from '#http';
import { INVITE_BODY, REDEEM_BODY, type InviteBody } from './invitations.schemas.js';
import { INVITATION_VIEW_SCHEMA, InvitationsService, TENANT_PERSON_SCHEMA } from './invitations.service.js';
import { Answers } from '#http';
import { ISSUED_PRINCIPAL_SCHEMA } from './principal.issuer.js';
import { PRINCIPAL_REQUEST_VIEW_SCHEMA } from './principal-request.store.js';

@Controller('v1/tenants/:tenant')
export class TenantPeopleController {
  constructor(@Inject(InvitationsService) private readonly invitations: InvitationsService) {}

  /** 201 when the code is on its way to the invitee; 202 when a client admin of the tenant must approve first. */
  @Post('invitations')
  @HttpCode(201)
  @CheckPolicy('create', 'Principal')
  @Answers(
    { 201: INVITATION_VIEW_SCHEMA, 202: PRINCIPAL_REQUEST_VIEW_SCHEMA },
    { 409: 'the tenant or the invitee refuses this invitation (e.g. already a principal); details name the rule' },
  )
  async invite(
    @Caller() ctx: PolicyContext,
    @Body(new SchemaPipe(INVITE_BODY)) body: InviteBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const outcome = await this.invitations.invite(ctx, body);
    if (outcome.kind === 'sent') return outcome.invitation;
    void reply.status(202).header('location', `/v1/tenants/${outcome.request.tenant}/principal-requests/${outcome.request.id}`);
    return outcome.request;
  }

  @Get('principals')
  @CheckPolicy('read', 'Principal')
  @Answers({ 200: { type: 'array', items: TENANT_PERSON_SCHEMA } })
  people(@Caller() ctx: PolicyContext) {
    return this.invitations.people(ctx);
  }
}

@Controller('v1/invitations')
export class InvitationsController {
  constructor(@Inject(InvitationsService) private readonly invitations: InvitationsService) {}

  /** The code is the credential: whoever received the mail gets their own token, once. */
  @Post('redeem')
  @HttpCode(201)
  @Public()
  @Answers(
    { 201: ISSUED_PRINCIPAL_SCHEMA },
    { 404: 'unknown invitation code', 409: 'the code was redeemed already', 410: 'the code has expired' },
  )
  redeem(@Body(new SchemaPipe(REDEEM_BODY)) body: { code: string }, @Req() req: FastifyRequest) {
    return this.invitations.redeem(body.code, String(req.id));
  }
}
