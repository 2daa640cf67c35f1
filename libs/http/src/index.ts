// HTTP plumbing every capability's controllers share: the request-schema pipe, error bodies,
// declared answers (for the OpenAPI document), ETags, hardening, and the route catalogue.
export { ANSWERS_KEY, Answers, CHANGE_REFUSALS, type DeclaredAnswers, type SuccessBody } from './answers.decorator.js';
export { PreconditionFailed, ValidationFailed } from './api-errors.js';
export { classifyDatabaseError, isUniqueViolation, type DatabaseFailure } from './database-errors.js';
export { REPRODUCED_GLOBAL, enhancerDifferences, serveRoutesDirectly, type Authorize, type DirectRoutes } from './direct-route.js';
export { etagOf, parseIfMatch } from './etag.js';
export { answerFrameworkError } from './framework-errors.js';
export { ADAPTER_HOOK, LIFECYCLE_HOOKS, rootHooks, routeHooks, type HookNames, type LifecycleHook } from './fastify-hooks.js';
export { HttpErrorFilter, retryAfterOf, shapeErrorsUnder, toErrorBody, type ErrorBody, type ErrorShaper } from './http-error.filter.js';
export { CONTENT_SECURITY_POLICY, applyHttpHardening, rateLimitKey, securityHeaders } from './http-hardening.js';
export { andThen, type MaybePromise } from './maybe-async.js';
export { buildOpenApi, toOpenApiPath, type OpenApiDocument, type OpenApiOperation, type OpenApiParameter } from './openapi.builder.js';
export { API_VERSION, OpenApiController } from './openapi.controller.js';
export { declaredRoutes, type DeclaredRoute } from './route-catalog.js';
export {
  controllerRoutes,
  globalEnhancers,
  joinPath,
  registeredControllers,
  registeredRoutes,
  routeArguments,
  routeEnhancers,
  routeOf,
  type ControllerClass,
  type GlobalEnhancers,
  type RouteArgument,
  type RouteHandler,
} from './route-introspector.js';
export { MAX_DEPTH, SchemaPipe, storableIssue } from './schema.pipe.js';
export { uuidParam } from './uuid-param.js';
