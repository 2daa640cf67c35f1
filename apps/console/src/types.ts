/** Shapes of the API's answers, as the console uses them. */
export type Role = 'operator' | 'client_admin' | 'compliance' | 'service';
export type Risk = 'low' | 'medium' | 'high' | 'critical';
export const RISKS_DESC: Risk[] = ['critical', 'high', 'medium', 'low'];

export interface Me {
  id: string;
  name: string;
  role: Role;
  tenant: string | null;
}

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  riskLevel: number;
  createdAt: string;
}

export interface Localized {
  en: string;
  fr: string;
}

export type JsonSchema = Record<string, unknown>;

export interface OptionDefinition {
  key: string;
  version: number;
  risk: Risk;
  title: Localized;
  description: Localized;
  schema: JsonSchema;
  default: unknown;
  /** The value that exposes nothing (stated for high and critical options). */
  safe?: unknown;
  /** For secrecy options: every value, most secret first (under a seal they only move towards the first). */
  secrecy?: unknown[];
  /** Words for each value, keyed by the value; booleans without them read On/Off. */
  valueLabels?: Record<string, Localized>;
}

export interface OptionView {
  key: string;
  value: unknown;
  source: 'default' | 'tenant';
  version: number;
  risk: Risk;
  updatedAt: string | null;
  updatedBy: { id: string; name: string } | null;
}

export interface AuditEvent {
  seq: number;
  tenant: string | null;
  at: string;
  actor: { id: string; name: string; role: string };
  action: string;
  option: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
}

export interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

export interface AuditFilters {
  tenant?: string;
  option?: string;
  action?: string;
  actor?: string;
  q?: string;
  from?: string;
  to?: string;
  cursor?: string;
}

/** How an approval stands towards the client: a client admin's is the client's consent only when `forClient`. */
export interface ClientStanding {
  forClient: boolean;
  /** Who made a client admin whose approval is not the client's (someone at the vendor). */
  madeBy: { id: string; name: string } | null;
}

export interface YourApproval {
  allowed: boolean;
  refusal: { rule: string; message: string } | null;
}

export interface ChangeRequest {
  id: string;
  tenant: string;
  option: string;
  operation: 'set' | 'reset';
  value?: unknown;
  reason: string;
  contentHash: string;
  status: string;
  required: { operator: boolean; clientAdmin: boolean };
  approvals: ({ principal: { id: string; name: string }; role: string; at: string } & ClientStanding)[];
  /** Whether the signed-in person may approve it, as the approval route judges it; its refusal otherwise. */
  yourApproval: YourApproval;
  requestedBy: { id: string; name: string; role: string };
  createdAt: string;
  baseVersion: number;
  expiresAt: string;
  breakGlassSeal?: string | null;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  reason: string | null;
}

export interface Seal {
  id: string;
  status: string;
  [field: string]: unknown;
}

export interface SealSummary extends Seal {
  tenant: string;
  label: string;
  requiredApprovals: number;
  proposedBy: { id: string; name: string; role: string };
  proposedAt: string;
  approvals: ({
    principal: { id: string; name: string };
    role: string;
    purpose: string;
    reason: string | null;
    at: string;
  } & ClientStanding)[];
  /** The steps the seal's status allows, each as the seal routes would judge the signed-in person's approval. */
  yourSteps: ({ purpose: string } & YourApproval)[];
  activatedAt: string | null;
  fingerprint: string | null;
  document: unknown;
  liftedAt: string | null;
  liftReason: string | null;
  breakGlass: boolean;
}

export interface TenantRef {
  slug: string;
  name: string;
}

/** An operator's invitation or revocation of a tenant's client admin, waiting for someone else's approval. */
export interface PrincipalRequest {
  id: string;
  kind: 'operator' | 'invitation' | 'revocation';
  tenant: string | null;
  name: string;
  email: string | null;
  status: string;
  requestedBy: { id: string; name: string };
  createdAt: string;
}

export type InboxItem =
  | { kind: 'change_request'; tenant: TenantRef; before: unknown; request: ChangeRequest }
  | { kind: 'seal'; tenant: TenantRef; purpose: 'activate' | 'lift'; seal: SealSummary }
  | { kind: 'principal_request'; tenant: TenantRef; request: PrincipalRequest };

export interface Inbox {
  count: number;
  items: InboxItem[];
}

export interface AuditActor {
  id: string;
  name: string;
  role: string;
}

export interface TenantStatus {
  tenant: string;
  seal: { id: string; label: string; status: 'active' | 'proposed' } | null;
  pendingRequests: number;
}

export interface Preset {
  name: string;
  version: number;
  title: Localized;
  description: Localized;
}

export interface Person {
  id: string;
  name: string;
  role: string;
  email: string | null;
  invitedBy: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface BulkPlan {
  option: string;
  operation: 'set' | 'reset';
  value?: unknown;
  reason: string;
  tenants: { tenant: string; version: number; before: unknown; after: unknown; changes: boolean; needsApproval: boolean }[];
  planHash: string;
}

export interface BulkResult {
  bulkId: string;
  results: { tenant: string; outcome: 'applied' | 'pending' | 'unchanged' }[];
}

export interface ExposureItem {
  tenant: string;
  option: string;
  risk: 'high' | 'critical';
  value: unknown;
  safe: unknown;
  source: 'default' | 'tenant';
  since: string;
  requestedBy: { id: string; name: string } | null;
  changeRequest: string | null;
  approvedBy: { id: string; name: string; role: string }[];
  seal: { id: string; label: string } | null;
}
