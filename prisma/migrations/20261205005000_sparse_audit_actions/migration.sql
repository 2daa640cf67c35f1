-- A few actions are looked up by tenant rather than read in order: a tenant's latest signed-approvals
-- setting (the seal-steps record checked at every start) and the operator keys introduced into its
-- chain (checked at each operator-signed approval and at a key's removal). Without an index of their
-- own each lookup walked the tenant's whole chain backwards (seconds at start for tenants with long
-- chains). The index holds only these rare events, so option changes do not write to it.
CREATE INDEX audit_events_sparse_idx ON "audit_events" ("tenant_id", "tenant_seq")
    WHERE "action" IN ('tenant.created', 'tenant.signed_approvals_changed', 'credential.introduced');
