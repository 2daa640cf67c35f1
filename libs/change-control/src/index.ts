export {
  approvalRequirement,
  clientAdminNotForClient,
  countedApprovals,
  isSatisfied,
  unneededApproval,
  type Approval,
  type ApprovalRequirement,
  type Approver,
} from './approval-policy.js';
export {
  OWN_REQUEST,
  requestApprovalBar,
  standing,
  type ApprovalBar,
  type RequestFacts,
  type YourApproval,
} from './approval-standing.js';
export { approvalJudge, approvalRefused } from './change-request.views.js';
export { InvalidValue, RuleConflict, RuleRefused, StaleVersion, TenantSealed } from './change-errors.js';
export { ChangeGate, type GateOptions, type GateOrigin, type GateOutcome } from './change.gate.js';
export {
  CHANGE_REQUEST_VIEW_SCHEMA,
  CHANGE_REQUEST_TTL_MS,
  YOUR_APPROVAL_FIELDS,
  YOUR_APPROVAL_SCHEMA,
  REQUEST_STATUSES,
  isExpired,
  toView as changeRequestView,
  type ChangeRequestView,
  type RequestStatus,
  type ViewFacts,
} from './change-request.store.js';
export { ChangeRequests, type NewChangeRequest, type RequestEdit } from './change-requests.service.js';
export { contentHashOf, sha256Canonical } from './content-hash.js';
export { OPTION_VIEW_SCHEMA, optionView, type Change, type OptionView } from './option-view.js';
export { CHANGE_CONTROL_PROVIDERS } from './change-control.providers.js';
export {
  CatalogDefaultsReconciler,
  DEFAULT_CHANGE_POLICY,
  DefaultChangeRefused,
  type DefaultChange,
  type DefaultChangePolicy,
} from './catalog-defaults.reconciler.js';
export { DEFINITION_VERSION_SCHEMA, CatalogHistory, sameRules, schemaHashOf, type DefinitionVersion } from './catalog-history.js';
export { assertSameTenant } from './blast-radius.js';
export { replyWithOutcome } from './outcome.js';
