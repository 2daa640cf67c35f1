import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { Caller, CheckPolicy, type PolicyContext } from '../../../../libs/policy/src/index.js';
import { SchemaPipe } from '../common/schema.pipe.js';
import { CREATE_TENANT_BODY, type CreateTenantBody } from './tenants.schemas.js';
import { TenantsService } from './tenants.service.js';

@Controller('v1/tenants')
export class TenantsController {
  constructor(@Inject(TenantsService) private readonly tenants: TenantsService) {}

  @Post()
  @HttpCode(201)
  @CheckPolicy('create', 'Tenant')
  create(@Caller() ctx: PolicyContext, @Body(new SchemaPipe(CREATE_TENANT_BODY)) body: CreateTenantBody) {
    return this.tenants.create(ctx, body);
  }

  @Get()
  @CheckPolicy('read', 'Tenant')
  list(@Caller() ctx: PolicyContext) {
    return this.tenants.list(ctx);
  }

  @Get(':tenant')
  @CheckPolicy('read', 'Tenant')
  get(@Caller() ctx: PolicyContext) {
    return this.tenants.get(ctx);
  }
}
