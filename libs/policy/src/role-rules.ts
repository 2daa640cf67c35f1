import type { Role } from '#tenancy';

export const ACTIONS = ['create', 'read', 'update', 'delete', 'approve', 'reject', 'withdraw', 'lift', 'break_glass'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Subjects are Prisma model names, plus three that are not tables: the registry (catalog data),
 * bulk changes (a request over several named tenants) and the exposure report.
 */
export const SUBJECTS = [
  'Tenant',
  'OptionValue',
  'AuditEvent',
  'AuditCheckpoint',
  'Principal',
  'Registry',
  'ChangeRequest',
  'BulkChange',
  'Seal',
  'ExposureReport',
] as const;
export type SubjectName = (typeof SUBJECTS)[number];

/** Placeholder replaced by the principal's own tenant id when abilities are built. */
export const OWN_TENANT = '$ownTenant';

export interface RoleRule {
  action: Action | Action[];
  subject: SubjectName | SubjectName[];
  conditions?: Record<string, typeof OWN_TENANT>;
}

/**
 * Who may do what, as data. Nothing here grants anything to a role not listed, and no rule
 * of a tenant-bound role lacks its tenant condition (checked by the policy tests).
 */
export const ROLE_RULES: Record<Role, RoleRule[]> = {
  operator: [
    { action: 'read', subject: 'Registry' },
    { action: ['create', 'read'], subject: 'Tenant' },
    { action: ['read', 'update', 'delete'], subject: 'OptionValue' },
    // A new operator waits for another operator's approval; client admins join by invitation.
    { action: ['create', 'read', 'delete', 'approve'], subject: 'Principal' },
    { action: 'read', subject: 'AuditEvent' },
    { action: 'create', subject: 'AuditCheckpoint' },
    // Operators propose and approve; the service refuses an approval by the requester.
    { action: ['create', 'read', 'update', 'approve', 'reject', 'withdraw'], subject: 'ChangeRequest' },
    { action: 'create', subject: 'BulkChange' },
    // Break-glass lifts a seal with two operators; it is marked as such and audited.
    { action: ['create', 'read', 'approve', 'lift', 'break_glass'], subject: 'Seal' },
    { action: 'read', subject: 'ExposureReport' },
  ],
  compliance: [
    { action: 'read', subject: ['Registry', 'Tenant', 'OptionValue', 'AuditEvent', 'ChangeRequest', 'Seal', 'ExposureReport'] },
    { action: 'create', subject: 'AuditCheckpoint' },
  ],
  client_admin: [
    { action: 'read', subject: 'Registry' },
    { action: 'read', subject: 'Tenant', conditions: { id: OWN_TENANT } },
    { action: 'read', subject: ['OptionValue', 'AuditEvent'], conditions: { tenantId: OWN_TENANT } },
    // Client consent: the tenant's own administrator sees, approves or rejects its changes.
    { action: ['read', 'approve', 'reject'], subject: 'ChangeRequest', conditions: { tenantId: OWN_TENANT } },
    // The polling office seals its own election: propose, approve, lift.
    { action: ['create', 'read', 'approve', 'lift'], subject: 'Seal', conditions: { tenantId: OWN_TENANT } },
    { action: 'read', subject: 'ExposureReport', conditions: { tenantId: OWN_TENANT } },
    // The client's own people: it sees them, invites colleagues and approves changes to them.
    { action: ['create', 'read', 'approve'], subject: 'Principal', conditions: { tenantId: OWN_TENANT } },
  ],
  service: [
    { action: 'read', subject: 'Registry' },
    { action: 'read', subject: 'OptionValue', conditions: { tenantId: OWN_TENANT } },
  ],
};
