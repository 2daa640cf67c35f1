import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { Caller, CheckPolicy, type PolicyContext } from '#policy';
import { CHANGE_REQUEST_VIEW_SCHEMA, ChangeRequests } from '#change-control';
import { SEAL_VERIFICATION_SCHEMA, SEAL_VIEW_SCHEMA } from './seal.view.js';
import { Seals } from './seals.service.js';
import type { ApprovalProof } from '#audit-format';
import { SIGNATURE_SCHEMA, SIGNED_APPROVAL_BODY } from '#identity';
import { SchemaPipe } from '#http';
import { uuidParam } from '#http';
import { SET_OPTION_BODY } from '#options';
import { Answers, CHANGE_REFUSALS } from '#http';

const PROPOSE_SEAL_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['label'],
  properties: {
    label: { type: 'string', minLength: 3, maxLength: 200, pattern: '\\S' },
    requiredApprovals: { type: 'integer', minimum: 2, maximum: 20 },
  },
} as const;

const REASON_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: SET_OPTION_BODY.properties.reason, signature: SIGNATURE_SCHEMA },
} as const;

type Signed = { signature?: ApprovalProof };

const id = () => uuidParam('seal');

const BREAK_GLASS_CHANGE_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['option', 'value', 'reason'],
  properties: { option: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,62}$' }, value: {}, reason: SET_OPTION_BODY.properties.reason },
} as const;

@Controller('v1/tenants/:tenant/seals')
export class SealsController {
  constructor(
    @Inject(Seals) private readonly seals: Seals,
    @Inject(ChangeRequests) private readonly requests: ChangeRequests,
  ) {}

  @Post()
  @HttpCode(201)
  @CheckPolicy('create', 'Seal')
  @Answers(
    { 201: SEAL_VIEW_SCHEMA },
    { 409: 'the seal is not in the state this needs (already sealed, not pending, not active, duplicate approval); details name the rule' },
  )
  propose(@Caller() ctx: PolicyContext, @Body(new SchemaPipe(PROPOSE_SEAL_BODY)) body: { label: string; requiredApprovals?: number }) {
    return this.seals.propose(ctx, body);
  }

  @Get()
  @CheckPolicy('read', 'Seal')
  @Answers({ 200: { type: 'array', items: SEAL_VIEW_SCHEMA } })
  list(@Caller() ctx: PolicyContext) {
    return this.seals.list(ctx);
  }

  @Get(':id')
  @CheckPolicy('read', 'Seal')
  @Answers({ 200: SEAL_VIEW_SCHEMA })
  get(@Caller() ctx: PolicyContext, @Param('id', id()) sealId: string) {
    return this.seals.get(ctx, sealId);
  }

  @Get(':id/verify')
  @CheckPolicy('read', 'Seal')
  @Answers(
    { 200: SEAL_VERIFICATION_SCHEMA },
    { 409: 'the seal is not in the state this needs (already sealed, not pending, not active, duplicate approval); details name the rule' },
  )
  verify(@Caller() ctx: PolicyContext, @Param('id', id()) sealId: string) {
    return this.seals.verify(ctx, sealId);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @CheckPolicy('approve', 'Seal')
  @Answers(
    { 200: SEAL_VIEW_SCHEMA },
    { 409: 'the seal is not in the state this needs (already sealed, not pending, not active, duplicate approval); details name the rule' },
  )
  approve(
    @Caller() ctx: PolicyContext,
    @Param('id', id()) sealId: string,
    @Body(new SchemaPipe(SIGNED_APPROVAL_BODY, 'body', true)) body: Signed,
  ) {
    return this.seals.approve(ctx, sealId, body.signature);
  }

  @Post(':id/lift')
  @HttpCode(200)
  @CheckPolicy('lift', 'Seal')
  @Answers(
    { 200: SEAL_VIEW_SCHEMA },
    { 409: 'the seal is not in the state this needs (already sealed, not pending, not active, duplicate approval); details name the rule' },
  )
  lift(
    @Caller() ctx: PolicyContext,
    @Param('id', id()) sealId: string,
    @Body(new SchemaPipe(REASON_BODY)) body: { reason: string } & Signed,
  ) {
    return this.seals.lift(ctx, sealId, body.reason, body.signature);
  }

  @Post(':id/break-glass')
  @HttpCode(200)
  @CheckPolicy('break_glass', 'Seal')
  @Answers(
    { 200: SEAL_VIEW_SCHEMA },
    { 409: 'the seal is not in the state this needs (already sealed, not pending, not active, duplicate approval); details name the rule' },
  )
  breakGlass(
    @Caller() ctx: PolicyContext,
    @Param('id', id()) sealId: string,
    @Body(new SchemaPipe(REASON_BODY)) body: { reason: string } & Signed,
  ) {
    return this.seals.breakGlass(ctx, sealId, body.reason, body.signature);
  }

  /** Under the active seal, a secrecy option may move towards more secrecy with two operators. */
  @Post(':id/break-glass-changes')
  @HttpCode(201)
  @CheckPolicy('break_glass', 'Seal')
  @Answers({ 201: CHANGE_REQUEST_VIEW_SCHEMA }, CHANGE_REFUSALS)
  breakGlassChange(
    @Caller() ctx: PolicyContext,
    @Param('id', id()) sealId: string,
    @Body(new SchemaPipe(BREAK_GLASS_CHANGE_BODY)) body: { option: string; value: unknown; reason: string },
  ) {
    return this.requests.createBreakGlass(ctx, sealId, body);
  }
}
