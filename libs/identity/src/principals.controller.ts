import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Caller, CheckPolicy, CheckPolicyOnObject, type PolicyContext } from '#policy';
import { SchemaPipe } from '#http';
import { uuidParam } from '#http';
import { PRINCIPAL_REQUEST_VIEW_SCHEMA, type PrincipalRequestView } from './principal-request.store.js';
import { PrincipalRequestsService } from './principal-requests.service.js';
import { CREATE_PRINCIPAL_BODY, type CreatePrincipalBody } from './principals.schemas.js';
import { PrincipalsService } from './principals.service.js';
import { Answers } from '#http';
import { ISSUED_PRINCIPAL_SCHEMA } from './principal.issuer.js';
import { REVOKED_PRINCIPAL_SCHEMA } from './principal.revoker.js';

/** 202 with the request when a change to who may act waits for someone else's approval. */
function pending(reply: FastifyReply, request: PrincipalRequestView): PrincipalRequestView {
  const where = request.tenant ? `/v1/tenants/${request.tenant}/principal-requests/${request.id}` : `/v1/principal-requests/${request.id}`;
  void reply.status(202).header('location', where);
  return request;
}

@Controller('v1/principals')
export class PrincipalsController {
  constructor(@Inject(PrincipalsService) private readonly principals: PrincipalsService) {}

  @Post()
  @HttpCode(201)
  @CheckPolicy('create', 'Principal')
  @Answers(
    { 201: ISSUED_PRINCIPAL_SCHEMA, 202: PRINCIPAL_REQUEST_VIEW_SCHEMA },
    {
      409: 'a rule refuses the principal (tenant has a client admin, identity already registered); details name the rule',
      422: 'staff sign-in is not configured',
    },
  )
  async create(
    @Caller() ctx: PolicyContext,
    @Body(new SchemaPipe(CREATE_PRINCIPAL_BODY)) body: CreatePrincipalBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const outcome = await this.principals.create(ctx, body);
    return outcome.kind === 'pending' ? pending(reply, outcome.request) : outcome.principal;
  }

  /** The principal's tenant decides: another tenant's principal is a 404 before any role question. */
  @Post(':id/revoke')
  @HttpCode(200)
  @CheckPolicyOnObject('delete', 'Principal')
  @Answers(
    { 200: REVOKED_PRINCIPAL_SCHEMA, 202: PRINCIPAL_REQUEST_VIEW_SCHEMA },
    { 409: 'a principal cannot revoke itself, nor the last operator of another person' },
  )
  async revoke(
    @Caller() ctx: PolicyContext,
    @Param('id', uuidParam('principal')) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const outcome = await this.principals.revoke(ctx, id);
    return outcome.kind === 'pending' ? pending(reply, outcome.request) : outcome.principal;
  }
}

/** New operators: approved by another operator, then collected once by the requester. */
@Controller('v1/principal-requests')
export class PrincipalRequestsController {
  constructor(@Inject(PrincipalRequestsService) private readonly requests: PrincipalRequestsService) {}

  @Get()
  @CheckPolicy('approve', 'Principal')
  @Answers({ 200: { type: 'array', items: PRINCIPAL_REQUEST_VIEW_SCHEMA } })
  list() {
    return this.requests.list();
  }

  @Post(':id/approve')
  @HttpCode(200)
  @CheckPolicy('approve', 'Principal')
  @Answers({ 200: PRINCIPAL_REQUEST_VIEW_SCHEMA }, { 409: 'the request is no longer pending' })
  approve(@Caller() ctx: PolicyContext, @Param('id', uuidParam('principal request')) id: string) {
    return this.requests.approveOperator(ctx, id);
  }

  @Post(':id/token')
  @HttpCode(201)
  @CheckPolicy('create', 'Principal')
  @Answers({ 201: ISSUED_PRINCIPAL_SCHEMA }, { 409: 'the request is not approved, or its token was collected already' })
  collect(@Caller() ctx: PolicyContext, @Param('id', uuidParam('principal request')) id: string) {
    return this.requests.collect(ctx, id);
  }
}

/** A tenant's client admins approve an operator's invitation or revocation of one of them. */
@Controller('v1/tenants/:tenant/principal-requests')
export class TenantPrincipalRequestsController {
  constructor(@Inject(PrincipalRequestsService) private readonly requests: PrincipalRequestsService) {}

  @Get()
  @CheckPolicy('read', 'Principal')
  @Answers({ 200: { type: 'array', items: PRINCIPAL_REQUEST_VIEW_SCHEMA } })
  list(@Caller() ctx: PolicyContext) {
    return this.requests.listInTenant(ctx);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @CheckPolicy('approve', 'Principal')
  @Answers({ 200: PRINCIPAL_REQUEST_VIEW_SCHEMA }, { 409: 'the request is no longer pending' })
  approve(@Caller() ctx: PolicyContext, @Param('id', uuidParam('principal request')) id: string) {
    return this.requests.approveInTenant(ctx, id);
  }
}
