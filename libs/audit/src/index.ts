// The audit service: recording, linking, checkpoints, signing keys. The format itself (canonical
// content, hashes, export lines, signatures, verification) has one public home: `#audit-format`.
export { AuditLinker, type LinkedHead } from './audit.linker.js';
export { AuditCheckpointer, type CheckpointSchedule } from './audit.checkpointer.js';
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
export { AuditSigner } from './audit.signer.js';
export {
  SIGNING_KEY_FILE,
  leftKeyWarning,
  loadSigningKey,
  type LeftKey,
  type SigningKeyOrigin,
  type SigningKeySource,
} from './signing-key.file.js';
export { ServiceKeys, SigningKeyMismatchError, readKeyRotations } from './service-keys.js';
export { AuditWitness, type WitnessedHead } from './audit.witness.js';
