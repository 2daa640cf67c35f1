export {
  metricsRegistry,
  recordAuditAppend,
  recordCacheRebuild,
  recordChainVerification,
  recordHttpRequest,
} from './metrics.registry.js';
export { NestPinoLogger } from './nest-pino.logger.js';
