export { CHANGE_CHANNEL, ChangeListener, type ChangeMode } from './change.listener.js';
export { SnapshotCache } from './snapshot.cache.js';
export {
  buildSnapshot,
  evaluateTenant,
  ifNoneMatchHits,
  type EvaluationReason,
  type FlagEvaluation,
  type StoredValue,
  TenantSnapshot,
} from './tenant-snapshot.js';
