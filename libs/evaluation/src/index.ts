export { CHANGE_CHANNEL, ChangeListener, type ChangeMode } from './change.listener.js';
export { SnapshotCache } from './snapshot.cache.js';
export {
  BULK_EVALUATION_SCHEMA,
  FLAG_EVALUATION_SCHEMA,
  FLAG_FAILURE_SCHEMA,
  buildSnapshot,
  evaluateTenant,
  ofrepValue,
  ifNoneMatchHits,
  type EvaluationReason,
  type FlagEvaluation,
  type FlagFailure,
  type OfrepValue,
  type StoredValue,
  TenantSnapshot,
} from './tenant-snapshot.js';
export { serveOfrepDirectly, unreproducedEnhancers, unreproducedHooks, type OfrepLimit } from './ofrep.direct.js';
export type { HttpServing } from './ofrep.fast.js';
