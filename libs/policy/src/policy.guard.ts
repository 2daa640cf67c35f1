import {
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
  Optional,
  UnauthorizedException,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { subject as asSubject } from '@casl/ability';
import type { FastifyRequest } from 'fastify';
import { Authenticator, CSRF_HEADER, ConsoleSessions, SESSION_COOKIE, changesState, readCookie } from '#identity';
import { TenantDirectory, type AuthenticatedPrincipal, type RequestContext } from '#tenancy';
import { defineAbilityFor, type AppAbility } from './ability.factory.js';
import { OWN_TENANT_ROUTE_KEY, POLICY_KEY, PUBLIC_KEY, type RoutePolicy } from './policy.decorators.js';
import { AUTH_FAILURE_LIMIT, AuthFailures, type AuthFailureLimit } from './request-limits.js';
import type { Action, SubjectName } from './role-rules.js';

export interface PolicyContext extends RequestContext {
  ability: AppAbility;
}

type CloisonRequest = FastifyRequest & { cloison?: PolicyContext };

/** What a route declares, read once per handler (metadata never changes after boot). */
interface RouteDeclaration {
  isPublic: boolean;
  policy?: RoutePolicy;
  ownTenant: boolean;
}

/** A cached principal's abilities and the own-tenant decisions already taken for it. */
interface Grants {
  ability: AppAbility;
  ownTenant: Map<RoutePolicy, boolean>;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** A route handler or its controller class, as Nest's ExecutionContext names them. */
type Handler = ReturnType<ExecutionContext['getHandler']>;

/**
 * The global guard: deny unless the route is @Public() or declares a policy that the
 * caller's abilities satisfy. A tenant named in the path is resolved through the caller's
 * own visibility first, so a foreign tenant answers 404 before any role question (403).
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  /** Abilities of cached principals: same principal object, same rules, same decisions. */
  private readonly grants = new WeakMap<object, Grants>();
  private readonly declarations = new WeakMap<Handler, WeakMap<Handler, RouteDeclaration>>();
  private readonly failures: AuthFailures;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Inject(TenantDirectory) private readonly tenants: TenantDirectory,
    @Optional() @Inject(AUTH_FAILURE_LIMIT) failureLimit?: AuthFailureLimit | null,
    @Optional() @Inject(ConsoleSessions) private readonly sessions?: ConsoleSessions | null,
  ) {
    this.failures = new AuthFailures(failureLimit ?? undefined);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.authorize(context.switchToHttp().getRequest<CloisonRequest>(), context.getHandler(), context.getClass());
    return true;
  }

  /**
   * Every check of canActivate for a request routed to `handler` of `controller`: the one place
   * a route is authorised, whether Nest's pipeline runs it or it is served directly (evaluation).
   * Resolves to what the caller may do (also left on the request), or undefined on a public route.
   * Synchronous when the answer needs no database (own-tenant routes with a cached principal).
   */
  authorize(req: FastifyRequest, handler: Handler, controller: Handler): PolicyContext | undefined | Promise<PolicyContext | undefined> {
    const { isPublic, policy, ownTenant } = this.declaration(handler, controller);
    if (isPublic) return undefined;
    if (!policy) throw new ForbiddenException('this route declares no policy');

    const token = bearerToken(req.headers.authorization);
    // A bearer token wins over a cookie: another site can make a browser send the cookie, never the header.
    const session = token || !this.sessions ? undefined : readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!token && !session) {
      throw new UnauthorizedException('missing bearer token (Authorization: Bearer <token>) or console session');
    }
    // Every route's credentials, evaluation included, are checked here: the one place failed
    // authentications are counted and an address over the limit is refused before any lookup.
    this.failures.assertAllowed(req.ip);
    if (session !== undefined) return this.authorizeSession(req, session, policy, ownTenant);
    if (ownTenant) {
      const found = this.authenticator.authenticateCached(token as string);
      return found instanceof Promise ? found.then((p) => this.grantOwnTenant(req, p, policy)) : this.grantOwnTenant(req, found, policy);
    }
    return this.authorizeInTenant(req, this.authenticator.authenticateCached(token as string), policy);
  }

  /**
   * The console's cookie: the session must be live (it is looked up on every request, so sign-out,
   * expiry and revocation take effect at once), and a request that may change something must carry
   * the session's CSRF token. Then the same policy decides as for a bearer token.
   */
  private async authorizeSession(req: CloisonRequest, id: string, policy: RoutePolicy, ownTenant: boolean): Promise<PolicyContext> {
    const sessions = this.sessions as ConsoleSessions;
    const held = await sessions.authenticate(id);
    if (!held) {
      this.failures.record(req.ip);
      throw new UnauthorizedException('console session ended or unknown: sign in again');
    }
    if (changesState(req.method) && !sessions.csrfMatches(id, req.headers[CSRF_HEADER])) {
      throw new ForbiddenException(`missing or wrong ${CSRF_HEADER} header: a change made with the console session carries its CSRF token`);
    }
    const { sessionExpiresAt: _, ...principal } = held;
    return ownTenant ? this.grantOwnTenant(req, principal, policy) : this.authorizeInTenant(req, principal, policy);
  }

  private failedAuthentication(req: FastifyRequest): UnauthorizedException {
    this.failures.record(req.ip);
    return new UnauthorizedException('invalid or revoked token');
  }

  private declaration(handler: Handler, controller: Handler): RouteDeclaration {
    let byController = this.declarations.get(handler);
    let found = byController?.get(controller);
    if (!found) {
      const targets = [handler, controller];
      found = {
        isPublic: this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) === true,
        policy: this.reflector.getAllAndOverride<RoutePolicy | undefined>(POLICY_KEY, targets),
        ownTenant: this.reflector.getAllAndOverride<boolean>(OWN_TENANT_ROUTE_KEY, targets) === true,
      };
      if (!byController) this.declarations.set(handler, (byController = new WeakMap()));
      byController.set(controller, found);
    }
    return found;
  }

  private async authorizeInTenant(
    req: CloisonRequest,
    found: AuthenticatedPrincipal | null | Promise<AuthenticatedPrincipal | null>,
    policy: RoutePolicy,
  ): Promise<PolicyContext> {
    // The principal cache drops a revoked principal at once on the revoking instance and on
    // the database's announcement elsewhere (ChangeListener), as on the evaluation routes.
    const principal = await found;
    if (!principal) throw this.failedAuthentication(req);
    const { ability } = this.grantsOf(principal);

    const slug = (req.params as Record<string, string> | undefined)?.tenant;
    const tenant = slug === undefined ? undefined : await this.tenants.resolve(principal, slug);
    if (slug !== undefined && !tenant) throw new NotFoundException(`tenant "${slug}" not found`);

    // Without a tenant in the path, the object has no tenant: only rules that span tenants match.
    // A route about an object elsewhere is judged by its service once the object is found.
    const fields: Record<string, unknown> = tenant ? { id: tenant.id, tenantId: tenant.id } : {};
    if (!policy.onObject) authorizeObject(ability, principal.role, policy.action, policy.subject, fields);
    return (req.cloison = { requestId: String(req.id), principal, tenant: tenant ?? undefined, ability });
  }

  /**
   * A cached principal is frozen and dropped from the cache when it or its tenant changes, so
   * its abilities (which depend on nothing else) can be kept with it.
   */
  private grantsOf(principal: AuthenticatedPrincipal): Grants {
    let grants = this.grants.get(principal);
    if (!grants) {
      grants = { ability: defineAbilityFor(principal), ownTenant: new Map() };
      this.grants.set(principal, grants);
    }
    return grants;
  }

  /**
   * Routes acting on the caller's own tenant: the tenant is the one the token is bound to,
   * never one named by the request, and the policy is checked against it like any other.
   */
  private grantOwnTenant(req: CloisonRequest, principal: AuthenticatedPrincipal | null, policy: RoutePolicy): PolicyContext {
    if (!principal) throw this.failedAuthentication(req);
    if (!principal.tenantId) {
      throw new ForbiddenException(`role ${principal.role} is bound to no tenant; this route serves tenant-bound principals`);
    }
    // Decisions for a cached principal are kept with it, like its abilities (see grantsOf).
    const grants = this.grantsOf(principal);
    let allowed = grants.ownTenant.get(policy);
    if (allowed === undefined) {
      const fields: Record<string, unknown> = { id: principal.tenantId, tenantId: principal.tenantId };
      allowed = grants.ability.can(policy.action, asSubject(policy.subject, fields));
      grants.ownTenant.set(policy, allowed);
    }
    if (!allowed) {
      throw new ForbiddenException(`role ${principal.role} may not ${policy.action} ${policy.subject}`);
    }
    return (req.cloison = { requestId: String(req.id), principal, ability: grants.ability });
  }
}

/** 403 unless `ability` allows `action` on the `subject` object with these fields. */
export function authorizeObject(
  ability: AppAbility,
  role: string,
  action: Action,
  subject: SubjectName,
  fields: Record<string, unknown>,
): void {
  if (!ability.can(action, asSubject(subject, fields))) throw new ForbiddenException(`role ${role} may not ${action} ${subject}`);
}

/** The guard's findings for the current request (principal, tenant, abilities). */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): PolicyContext => {
  const ctx = context.switchToHttp().getRequest<CloisonRequest>().cloison;
  if (!ctx) throw new Error('Caller used on a route the policy guard did not authorise');
  return ctx;
});
