import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { Caller, CheckPolicy, CheckPolicyOnObject, type PolicyContext } from '../../../../libs/policy/src/index.js';
import { SchemaPipe } from '../common/schema.pipe.js';
import { uuidParam } from '../common/uuid-param.js';
import { CREATE_PRINCIPAL_BODY, type CreatePrincipalBody } from './principals.schemas.js';
import { PrincipalsService } from './principals.service.js';

@Controller('v1/principals')
export class PrincipalsController {
  constructor(@Inject(PrincipalsService) private readonly principals: PrincipalsService) {}

  @Post()
  @HttpCode(201)
  @CheckPolicy('create', 'Principal')
  create(@Caller() ctx: PolicyContext, @Body(new SchemaPipe(CREATE_PRINCIPAL_BODY)) body: CreatePrincipalBody) {
    return this.principals.create(ctx, body);
  }

  /** The principal's tenant decides: another tenant's principal is a 404 before any role question. */
  @Post(':id/revoke')
  @HttpCode(200)
  @CheckPolicyOnObject('delete', 'Principal')
  revoke(@Caller() ctx: PolicyContext, @Param('id', uuidParam('principal')) id: string) {
    return this.principals.revoke(ctx, id);
  }
}
