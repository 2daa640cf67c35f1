import {
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
  UnauthorizedException,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { subject as asSubject } from '@casl/ability';
import type { FastifyRequest } from 'fastify';
import { Authenticator } from '../../identity/src/index.js';
import { TenantDirectory, type RequestContext } from '../../tenancy/src/index.js';
import { defineAbilityFor, type AppAbility } from './ability.factory.js';
import { OWN_TENANT_ROUTE_KEY, POLICY_KEY, PUBLIC_KEY, type RoutePolicy } from './policy.decorators.js';

export interface PolicyContext extends RequestContext {
  ability: AppAbility;
}

type CloisonRequest = FastifyRequest & { cloison?: PolicyContext };

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * The global guard: deny unless the route is @Public() or declares a policy that the
 * caller's abilities satisfy. A tenant named in the path is resolved through the caller's
 * own visibility first, so a foreign tenant answers 404 before any role question (403).
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  /** Abilities of cached principals: same principal object, same rules. */
  private readonly abilities = new WeakMap<object, AppAbility>();

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const policy = this.reflector.getAllAndOverride<RoutePolicy | undefined>(POLICY_KEY, targets);
    if (!policy) throw new ForbiddenException('this route declares no policy');

    const req = context.switchToHttp().getRequest<CloisonRequest>();
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new UnauthorizedException('missing bearer token (Authorization: Bearer <token>)');
    const ownTenantRoute = this.reflector.getAllAndOverride<boolean>(OWN_TENANT_ROUTE_KEY, targets) === true;
    if (ownTenantRoute) return this.authorizeOwnTenant(req, token, policy);

    const principal = await this.authenticator.authenticate(token);
    if (!principal) throw new UnauthorizedException('invalid or revoked token');
    const ability = defineAbilityFor(principal);

    const slug = (req.params as Record<string, string> | undefined)?.tenant;
    const tenant = slug === undefined ? undefined : await this.tenants.resolve(principal, slug);
    if (slug !== undefined && !tenant) throw new NotFoundException(`tenant "${slug}" not found`);

    // Without a tenant in the path, the object has no tenant: only rules that span tenants match.
    const fields: Record<string, unknown> = tenant ? { id: tenant.id, tenantId: tenant.id } : {};
    const target = asSubject(policy.subject, fields);
    if (!ability.can(policy.action, target)) {
      throw new ForbiddenException(`role ${principal.role} may not ${policy.action} ${policy.subject}`);
    }
    req.cloison = { requestId: String(req.id), principal, tenant: tenant ?? undefined, ability };
    return true;
  }

  /**
   * Routes acting on the caller's own tenant: the tenant is the one the token is bound to,
   * never one named by the request, and the policy is checked against it like any other.
   */
  private async authorizeOwnTenant(req: CloisonRequest, token: string, policy: RoutePolicy): Promise<boolean> {
    const principal = await this.authenticator.authenticateCached(token);
    if (!principal) throw new UnauthorizedException('invalid or revoked token');
    if (!principal.tenantId) {
      throw new ForbiddenException(`role ${principal.role} is bound to no tenant; this route serves tenant-bound principals`);
    }
    let ability = this.abilities.get(principal);
    if (!ability) {
      ability = defineAbilityFor(principal);
      this.abilities.set(principal, ability);
    }
    const fields: Record<string, unknown> = { id: principal.tenantId, tenantId: principal.tenantId };
    const target = asSubject(policy.subject, fields);
    if (!ability.can(policy.action, target)) {
      throw new ForbiddenException(`role ${principal.role} may not ${policy.action} ${policy.subject}`);
    }
    req.cloison = { requestId: String(req.id), principal, ability };
    return true;
  }
}

/** The guard's findings for the current request (principal, tenant, abilities). */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): PolicyContext => {
  const ctx = context.switchToHttp().getRequest<CloisonRequest>().cloison;
  if (!ctx) throw new Error('Caller used on a route the policy guard did not authorise');
  return ctx;
});
