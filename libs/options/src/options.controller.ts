import { Body, Controller, Delete, Get, Headers, Inject, Param, Put, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Caller, CheckPolicy, type PolicyContext } from '#policy';
import { etagOf, parseIfMatch } from '#http';
import { replyWithOutcome } from '#change-control';
import { SchemaPipe } from '#http';
import { RESET_OPTION_BODY, SET_OPTION_BODY, type ResetOptionBody, type SetOptionBody } from './options.schemas.js';
import { OptionsService, type OptionView } from './options.service.js';
import { Answers, CHANGE_REFUSALS } from '#http';
import { CHANGE_REQUEST_VIEW_SCHEMA, OPTION_VIEW_SCHEMA } from '#change-control';

function withEtag(reply: FastifyReply, option: OptionView): OptionView {
  void reply.header('etag', etagOf(option.version));
  return option;
}

@Controller('v1/tenants/:tenant/options')
export class OptionsController {
  constructor(@Inject(OptionsService) private readonly options: OptionsService) {}

  @Get()
  @CheckPolicy('read', 'OptionValue')
  @Answers({ 200: { type: 'array', items: OPTION_VIEW_SCHEMA } })
  list(@Caller() ctx: PolicyContext) {
    return this.options.list(ctx);
  }

  @Get(':key')
  @CheckPolicy('read', 'OptionValue')
  @Answers({ 200: OPTION_VIEW_SCHEMA })
  async get(@Caller() ctx: PolicyContext, @Param('key') key: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.options.get(ctx, key));
  }

  @Put(':key')
  @CheckPolicy('update', 'OptionValue')
  @Answers({ 200: OPTION_VIEW_SCHEMA, 202: CHANGE_REQUEST_VIEW_SCHEMA }, CHANGE_REFUSALS)
  async set(
    @Caller() ctx: PolicyContext,
    @Param('key') key: string,
    @Body(new SchemaPipe(SET_OPTION_BODY)) body: SetOptionBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return replyWithOutcome(reply, await this.options.set(ctx, key, body, parseIfMatch(ifMatch)));
  }

  @Delete(':key')
  @CheckPolicy('delete', 'OptionValue')
  @Answers({ 200: OPTION_VIEW_SCHEMA, 202: CHANGE_REQUEST_VIEW_SCHEMA }, CHANGE_REFUSALS)
  async reset(
    @Caller() ctx: PolicyContext,
    @Param('key') key: string,
    @Body(new SchemaPipe(RESET_OPTION_BODY)) body: ResetOptionBody,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return replyWithOutcome(reply, await this.options.reset(ctx, key, body, parseIfMatch(ifMatch)));
  }
}
