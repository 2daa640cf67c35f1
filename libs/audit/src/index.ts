export { AUDIT_ACTIONS, AuditRecorder, type AuditAction, type AuditEntry } from './audit.recorder.js';
