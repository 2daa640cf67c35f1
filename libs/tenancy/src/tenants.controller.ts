import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { Caller, CheckPolicy, type PolicyContext } from '#policy';
import { SchemaPipe } from '#http';
import { CREATE_TENANT_BODY, type CreateTenantBody } from './tenants.schemas.js';
import { CREATED_TENANT_SCHEMA, TENANT_VIEW_SCHEMA, TenantsService } from './tenants.service.js';
import { Answers, CHANGE_REFUSALS } from '#http';

@Controller('v1/tenants')
export class TenantsController {
  constructor(@Inject(TenantsService) private readonly tenants: TenantsService) {}

  @Post()
  @HttpCode(201)
  @CheckPolicy('create', 'Tenant')
  @Answers(
    { 201: CREATED_TENANT_SCHEMA },
    { ...CHANGE_REFUSALS, 409: 'the slug is taken, or the preset is at another version', 422: 'unknown preset' },
  )
  create(@Caller() ctx: PolicyContext, @Body(new SchemaPipe(CREATE_TENANT_BODY)) body: CreateTenantBody) {
    return this.tenants.create(ctx, body);
  }

  @Get()
  @CheckPolicy('read', 'Tenant')
  @Answers({ 200: { type: 'array', items: TENANT_VIEW_SCHEMA } })
  list(@Caller() ctx: PolicyContext) {
    return this.tenants.list(ctx);
  }

  @Get(':tenant')
  @CheckPolicy('read', 'Tenant')
  @Answers({ 200: TENANT_VIEW_SCHEMA })
  get(@Caller() ctx: PolicyContext) {
    return this.tenants.get(ctx);
  }
}
