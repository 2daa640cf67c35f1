export {
  fingerprintOf,
  keyIdOf,
  signSealDocument,
  verifySealDocument,
  type SealDocument,
  type SealDocumentCheck,
  type SealedState,
} from '#audit-format';
export { SealSigner } from './seal-signer.js';
export { DEFAULT_SEAL_APPROVALS, Seals } from './seals.service.js';
export { SEAL_VERIFICATION_SCHEMA, SEAL_VIEW_SCHEMA, toSealView, type SealView } from './seal.view.js';
export { sealQuorum, unneededSealApproval, type SealApprover } from './seal-quorum.rule.js';
export { sealJudge } from './seal.judge.js';
export { sealStepBar, stepFiling, STEP_STATUS, type SealFacts, type SealPurpose } from './seal-step.rule.js';
