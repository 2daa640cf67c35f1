export { AUDIT_CONTENT_PROPERTIES, AUDIT_FORMAT_VERSION, GENESIS_HASH, GLOBAL_CHAIN, canonicalContent, contentHash, linkHash, type AuditContent, type ChainedEvent } from './audit.chain.js';
export { AuditLinker, type LinkedHead } from './audit.linker.js';
export { AuditCheckpointer, type CheckpointSchedule } from './audit.checkpointer.js';
export { jsonDiff, type JsonPatchOperation } from './audit.diff.js';
export {
  CSV_COLUMNS, EXPORT_FORMAT, checkpointLine, csvCheckpointRow, csvEventRow, csvHeader, endLine, eventLine, exportHeader,
  type ExportHeader, type ExportLine,
} from './audit.export.js';
export { AUDIT_ACTIONS, AuditRecorder, auditPlaceholders, type AppendedEvent, type AuditAction, type UnlinkedEvent, type AuditEntry, type PreparedEvent } from './audit.recorder.js';
export { AuditSigner, SIGNING_KEY_FILE, loadSigningKey, type SigningKeySource } from './audit.signer.js';
export {
  checkpointPayload, checkpointSignatureValid, derivePublicKey, generateSigningKey, parsePrivateKey, parsePublicKey, publicKeyFingerprint, signCheckpoint,
  CHECKPOINT_SCHEMA,
  type Checkpoint,
} from './audit.signing.js';
export { rotationValid, signRotation, trustedKeys, type KeyRotation } from './key-rotation.js';
export { ServiceKeys, SigningKeyMismatchError, readKeyRotations } from './service-keys.js';
export { AuditWitness, type WitnessedHead } from './audit.witness.js';
export { VERIFY_RESULT_SCHEMA, ChainVerifier, type ChainVerifierOptions, type VerifyResult } from './chain.verifier.js';
export { ExportVerifier, verifyExport, verifyExportBytes, verifyExportStream, type VerifyBytesOptions } from './export.verifier.js';
