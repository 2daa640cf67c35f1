import { Body, Controller, Headers, HttpCode, Inject, Param, Post, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BULK_EVALUATION_SCHEMA, FLAG_EVALUATION_SCHEMA, ifNoneMatchHits } from './tenant-snapshot.js';
import { Answers } from '#http';
import { Caller, CheckPolicy, OwnTenantRoute, type PolicyContext } from '#policy';
import { andThen, type MaybePromise } from '#http';
import { SchemaPipe } from '#http';
import { OfrepErrorFilter } from './ofrep.errors.js';
import { OFREP_ERROR_SCHEMA, OFREP_EVALUATION_BODY, type OfrepEvaluationBody } from './ofrep.schemas.js';
import { OfrepService } from './ofrep.service.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** OFREP needs no body; an absent one is an empty request. */
class OfrepBodyPipe extends SchemaPipe {
  constructor() {
    super(OFREP_EVALUATION_BODY);
  }

  override transform(value: unknown): unknown {
    return super.transform(value === undefined || value === null ? {} : value);
  }
}

/** The request schema of both routes (also applied where they are served directly). */
export const OFREP_BODY = new OfrepBodyPipe();

/**
 * OpenFeature Remote Evaluation Protocol v1 for the caller's own tenant. Bodies come
 * pre-serialised from the tenant's snapshot and are written out as they are.
 */
@Controller('ofrep/v1/evaluate')
@UseFilters(OfrepErrorFilter)
export class OfrepController {
  constructor(@Inject(OfrepService) private readonly ofrep: OfrepService) {}

  // Synchronous while the caller's snapshot is in memory (see ofrep.direct.ts).
  @Post('flags')
  @HttpCode(200)
  @CheckPolicy('read', 'OptionValue')
  @OwnTenantRoute()
  @Answers({ 200: BULK_EVALUATION_SCHEMA, 304: null }, { 400: 'PARSE_ERROR or INVALID_CONTEXT' }, OFREP_ERROR_SCHEMA)
  bulk(
    @Caller() ctx: PolicyContext,
    @Body(OFREP_BODY) body: OfrepEvaluationBody,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() reply: FastifyReply,
  ): MaybePromise<void> {
    return andThen(this.ofrep.snapshot(ctx, body), (snapshot) => {
      void reply.header('etag', snapshot.etag);
      if (ifNoneMatchHits(ifNoneMatch, snapshot.etag)) return void reply.code(304).send();
      void reply.code(200).header('content-type', JSON_TYPE).send(snapshot.bulkBody);
    });
  }

  @Post('flags/:key')
  @HttpCode(200)
  @CheckPolicy('read', 'OptionValue')
  @OwnTenantRoute()
  @Answers(
    { 200: FLAG_EVALUATION_SCHEMA },
    { 400: "PARSE_ERROR or INVALID_CONTEXT; GENERAL for an option without a value (the caller's default applies)", 404: 'FLAG_NOT_FOUND' },
    OFREP_ERROR_SCHEMA,
  )
  single(
    @Caller() ctx: PolicyContext,
    @Param('key') key: string,
    @Body(OFREP_BODY) body: OfrepEvaluationBody,
    @Res() reply: FastifyReply,
  ): MaybePromise<void> {
    return andThen(this.ofrep.snapshot(ctx, body), (snapshot) => {
      void reply.code(200).header('content-type', JSON_TYPE).send(this.ofrep.flagBody(snapshot, key));
    });
  }
}
