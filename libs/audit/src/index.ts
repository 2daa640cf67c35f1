export {
  AUDIT_CONTENT_PROPERTIES,
  AUDIT_FORMAT_VERSION,
  GENESIS_HASH,
  GLOBAL_CHAIN,
  canonicalContent,
  contentHash,
  linkHash,
  type AuditContent,
  type ChainedEvent,
} from '#audit-format';
export { AuditLinker, type LinkedHead } from './audit.linker.js';
export { AuditCheckpointer, type CheckpointSchedule } from './audit.checkpointer.js';
export { jsonDiff, type JsonPatchOperation } from '#audit-format';
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
  type ExportHeader,
  type ExportLine,
} from '#audit-format';
export {
  AUDIT_ACTIONS,
  AuditRecorder,
  auditPlaceholders,
  type AppendedEvent,
  type AuditAction,
  type UnlinkedEvent,
  type AuditEntry,
  type PreparedEvent,
} from './audit.recorder.js';
export { AuditSigner, SIGNING_KEY_FILE, loadSigningKey, type SigningKeySource } from './audit.signer.js';
export {
  checkpointPayload,
  checkpointSignatureValid,
  derivePublicKey,
  generateSigningKey,
  parsePrivateKey,
  parsePublicKey,
  publicKeyFingerprint,
  signCheckpoint,
  CHECKPOINT_SCHEMA,
  type Checkpoint,
} from '#audit-format';
export { rotationValid, signRotation, trustedKeys, type KeyRotation } from '#audit-format';
export { ServiceKeys, SigningKeyMismatchError, readKeyRotations } from './service-keys.js';
export { AuditWitness, type WitnessedHead } from './audit.witness.js';
export { VERIFY_RESULT_SCHEMA, ChainVerifier, type ChainVerifierOptions, type VerifyResult } from '#audit-format';
export { ExportVerifier, verifyExport, verifyExportBytes, verifyExportStream, type VerifyBytesOptions } from '#audit-format';
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
} from '#audit-format';
export { ApprovalSignatureVerifier, type ApprovalFinding } from '#audit-format';
