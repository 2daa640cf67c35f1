export {
  metricsRegistry,
  recordAuditAppend,
  recordAuditLink,
  recordCacheRebuild,
  recordChangeStatement,
  recordChainVerification,
  recordHttpRequest,
} from './metrics.registry.js';
export { HttpMetrics } from './http-metrics.js';
export { LazyChildLogger } from './lazy-child.logger.js';
export { NestPinoLogger } from './nest-pino.logger.js';
export { RequestLogController, SLOW_EVALUATION_MS } from './request-log.controller.js';
export { Lifecycle } from './lifecycle.service.js';
