export {
  metricsRegistry,
  recordAuditAppend,
  recordAuditLink,
  recordCacheRebuild,
  recordChainVerification,
  recordHttpRequest,
} from './metrics.registry.js';
export { NestPinoLogger } from './nest-pino.logger.js';
export { RequestLogController, SLOW_EVALUATION_MS } from './request-log.controller.js';
