import { Controller, Get } from '@nestjs/common';
import { STRING, UUID, nullable, objectOf } from '#registry';
import { Caller, CheckPolicy, type PolicyContext } from '#policy';
import { Answers } from '#http';

export interface MeView {
  id: string;
  name: string;
  role: string;
  /** Slug of the tenant a tenant-bound principal belongs to; null for roles spanning tenants. */
  tenant: string | null;
}

export const ME_VIEW_SCHEMA = objectOf({ id: UUID, name: STRING, role: STRING, tenant: nullable(STRING) });

/** Who the bearer token belongs to, so a client (the console) can show the views of that role. */
@Controller('v1/me')
export class MeController {
  @Get()
  // Every role may read the registry: this policy is satisfied by any valid token.
  @CheckPolicy('read', 'Registry')
  @Answers({ 200: ME_VIEW_SCHEMA })
  me(@Caller() ctx: PolicyContext): MeView {
    const p = ctx.principal;
    return { id: p.id, name: p.name, role: p.role, tenant: p.tenantSlug };
  }
}
