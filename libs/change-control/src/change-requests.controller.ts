import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { CHANGE_REQUEST_VIEW_SCHEMA, type RequestStatus } from './change-request.store.js';
import { ChangeRequests, type RequestEdit } from './change-requests.service.js';
import type { ApprovalProof } from '#audit-format';
import { Caller, CheckPolicy, type PolicyContext } from '#policy';
import { assertSameTenant } from './blast-radius.js';
import { SchemaPipe } from '#http';
import { uuidParam } from '#http';
import {
  APPROVE_BODY,
  CREATE_CHANGE_REQUEST_BODY,
  DECISION_BODY,
  EDIT_CHANGE_REQUEST_BODY,
  LIST_QUERY,
  type CreateChangeRequestBody,
} from './change-requests.schemas.js';
import { Answers, CHANGE_REFUSALS } from '#http';

const id = () => uuidParam('change request');

@Controller('v1/tenants/:tenant/change-requests')
export class ChangeRequestsController {
  constructor(@Inject(ChangeRequests) private readonly requests: ChangeRequests) {}

  @Post()
  @HttpCode(201)
  @CheckPolicy('create', 'ChangeRequest')
  @Answers({ 201: CHANGE_REQUEST_VIEW_SCHEMA }, CHANGE_REFUSALS)
  create(@Caller() ctx: PolicyContext, @Body(new SchemaPipe(CREATE_CHANGE_REQUEST_BODY)) body: CreateChangeRequestBody) {
    if (ctx.tenant) assertSameTenant(ctx.tenant, body.tenant);
    return this.requests.create(ctx, body);
  }

  @Get()
  @CheckPolicy('read', 'ChangeRequest')
  @Answers({ 200: { type: 'array', items: CHANGE_REQUEST_VIEW_SCHEMA } })
  list(@Caller() ctx: PolicyContext, @Query(new SchemaPipe(LIST_QUERY, 'query')) q: { status?: RequestStatus }) {
    return this.requests.list(ctx, q.status);
  }

  @Get(':id')
  @CheckPolicy('read', 'ChangeRequest')
  @Answers({ 200: CHANGE_REQUEST_VIEW_SCHEMA })
  get(@Caller() ctx: PolicyContext, @Param('id', id()) requestId: string) {
    return this.requests.get(ctx, requestId);
  }

  @Patch(':id')
  @CheckPolicy('update', 'ChangeRequest')
  @Answers({ 200: CHANGE_REQUEST_VIEW_SCHEMA }, CHANGE_REFUSALS)
  edit(
    @Caller() ctx: PolicyContext,
    @Param('id', id()) requestId: string,
    @Body(new SchemaPipe(EDIT_CHANGE_REQUEST_BODY)) body: RequestEdit,
  ) {
    return this.requests.edit(ctx, requestId, body);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @CheckPolicy('approve', 'ChangeRequest')
  @Answers({ 200: CHANGE_REQUEST_VIEW_SCHEMA }, CHANGE_REFUSALS)
  approve(
    @Caller() ctx: PolicyContext,
    @Param('id', id()) requestId: string,
    @Body(new SchemaPipe(APPROVE_BODY)) body: { contentHash: string; signature?: ApprovalProof },
  ) {
    return this.requests.approve(ctx, requestId, body.contentHash, body.signature);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @CheckPolicy('reject', 'ChangeRequest')
  @Answers({ 200: CHANGE_REQUEST_VIEW_SCHEMA }, CHANGE_REFUSALS)
  reject(
    @Caller() ctx: PolicyContext,
    @Param('id', id()) requestId: string,
    @Body(new SchemaPipe(DECISION_BODY)) body: { reason: string },
  ) {
    return this.requests.reject(ctx, requestId, body.reason);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @CheckPolicy('withdraw', 'ChangeRequest')
  @Answers({ 200: CHANGE_REQUEST_VIEW_SCHEMA }, CHANGE_REFUSALS)
  withdraw(
    @Caller() ctx: PolicyContext,
    @Param('id', id()) requestId: string,
    @Body(new SchemaPipe(DECISION_BODY)) body: { reason: string },
  ) {
    return this.requests.withdraw(ctx, requestId, body.reason);
  }
}
