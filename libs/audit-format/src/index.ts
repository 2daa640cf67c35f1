// How a Cloison audit log and seal document are written down and checked, offline: canonical form,
// hashes, signatures, the export format and its verification. Nothing here knows Nest, Prisma or
// CASL, so the service, the `cloison` command and third-party verifiers share one definition.
export {
  AUDIT_CONTENT_PROPERTIES,
  AUDIT_FORMAT_VERSION,
  GENESIS_HASH,
  GLOBAL_CHAIN,
  canonicalContent,
  contentHash,
  jcs,
  linkHash,
  sha256Hex,
  sha256Of,
  type AuditContent,
  type ChainedEvent,
} from './audit.chain.js';
export { jsonDiff, type JsonPatchOperation } from './audit.diff.js';
export {
  CSV_COLUMNS,
  EXPORT_FORMAT,
  checkpointLine,
  csvCheckpointRow,
  csvEventRow,
  csvHeader,
  endLine,
  eventLine,
  exportHeader,
  stateLine,
  type ExportHeader,
  type ExportLine,
} from './audit.export.js';
export {
  checkpointPayload,
  checkpointSignatureValid,
  derivePublicKey,
  generateSigningKey,
  parsePrivateKey,
  parsePublicKey,
  publicKeyFingerprint,
  publicKeyPem,
  signCheckpoint,
  CHECKPOINT_SCHEMA,
  type Checkpoint,
  type UnsignedCheckpoint,
} from './audit.signing.js';
export { rotationValid, signRotation, trustedKeys, type KeyRotation } from './key-rotation.js';
export { VERIFY_RESULT_SCHEMA, ChainVerifier, type ChainVerifierOptions, type VerifyResult } from './chain.verifier.js';
export { ExportVerifier, verifyExport, verifyExportBytes, verifyExportStream, type VerifyBytesOptions } from './export.verifier.js';
export { readPlainEvent, type PlainEvent } from './export.plain-line.js';
export {
  OPTION_ROW_WRITES,
  OptionReplay,
  differenceReason,
  readState,
  rowWrite,
  type OptionDifference,
  type RowWrite,
  type StoredOption,
  type TenantState,
} from './option-replay.js';
export {
  SIGNATURE_MAX_SKEW_MS,
  SIGNED_ACTIONS,
  SIGNED_EVENT_ACTIONS,
  jwkFingerprint,
  keyObjectOf,
  proofRefusal,
  sealContentHash,
  signedApprovalsContentHash,
  signStatement,
  statementHash,
  statementText,
  type ApprovalProof,
  type ApprovalStatement,
  type EnrolledKey,
  type SignedAction,
} from './approval-signature.js';
export { ApprovalSignatureVerifier, type ApprovalFinding } from './approval-signature.verifier.js';
export {
  fingerprintOf,
  keyIdOf,
  signSealDocument,
  verifySealDocument,
  type SealDocument,
  type SealDocumentCheck,
  type SealedState,
} from './seal-document.js';
