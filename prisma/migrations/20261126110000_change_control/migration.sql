-- Change control: change requests waiting for approvals (four-eyes, client consent), their
-- approvals bound to a content hash, and the catalog defaults the data was last reconciled with.

-- CreateTable
CREATE TABLE "change_requests" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "option_key" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "value" JSONB,
    "reason" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "base_version" INTEGER NOT NULL,
    "needs_operator" BOOLEAN NOT NULL,
    "needs_client" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL,
    "requested_by_id" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "requested_by_role" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3),
    "decided_by_id" TEXT,
    "decided_by" TEXT,
    "decision_reason" TEXT,
    "break_glass_seal_id" UUID,

    CONSTRAINT "change_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "change_request_approvals" (
    "request_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "principal_id" TEXT NOT NULL,
    "principal_name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "content_hash" TEXT NOT NULL,
    "approved_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "change_request_approvals_pkey" PRIMARY KEY ("request_id","principal_id","content_hash")
);

-- CreateTable
CREATE TABLE "catalog_defaults" (
    "option_key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "risk" TEXT NOT NULL,
    "default_value" JSONB NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "catalog_defaults_pkey" PRIMARY KEY ("option_key")
);

-- CreateIndex
CREATE INDEX "change_requests_tenant_id_status_idx" ON "change_requests"("tenant_id", "status");

-- AddForeignKey
ALTER TABLE "change_requests" ADD CONSTRAINT "change_requests_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "change_request_approvals" ADD CONSTRAINT "change_request_approvals_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "change_requests"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "change_requests" ADD CONSTRAINT "change_requests_operation_check"
    CHECK (("operation" = 'set') OR ("operation" = 'reset' AND "value" IS NULL));
ALTER TABLE "change_requests" ADD CONSTRAINT "change_requests_status_check"
    CHECK ("status" IN ('pending', 'applied', 'rejected', 'withdrawn', 'expired'));
ALTER TABLE "change_requests" ADD CONSTRAINT "change_requests_needs_check"
    CHECK ("needs_operator" OR "needs_client");
ALTER TABLE "change_request_approvals" ADD CONSTRAINT "change_request_approvals_role_check"
    CHECK ("role" IN ('operator', 'client_admin'));

-- Row visibility: the same tenant rules as option_values. Approvals are never deleted: an
-- edit changes the request's content hash, and approvals carrying the old hash stop counting.
ALTER TABLE "change_requests" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "change_requests" FORCE ROW LEVEL SECURITY;
CREATE POLICY change_requests_read ON "change_requests" FOR SELECT
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY change_requests_insert ON "change_requests" FOR INSERT
    WITH CHECK ("tenant_id" = cloison_current_tenant());
CREATE POLICY change_requests_update ON "change_requests" FOR UPDATE
    USING ("tenant_id" = cloison_current_tenant()) WITH CHECK ("tenant_id" = cloison_current_tenant());

ALTER TABLE "change_request_approvals" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "change_request_approvals" FORCE ROW LEVEL SECURITY;
CREATE POLICY change_request_approvals_read ON "change_request_approvals" FOR SELECT
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY change_request_approvals_insert ON "change_request_approvals" FOR INSERT
    WITH CHECK ("tenant_id" = cloison_current_tenant()
        AND EXISTS (SELECT 1 FROM "change_requests" r WHERE r."id" = "request_id" AND r."tenant_id" = cloison_current_tenant()));

-- Catalog defaults are not tenant data: everyone may read them; only the boot-time
-- reconciliation, working in the cross-tenant scope, writes them.
ALTER TABLE "catalog_defaults" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "catalog_defaults" FORCE ROW LEVEL SECURITY;
CREATE POLICY catalog_defaults_read ON "catalog_defaults" FOR SELECT USING (true);
CREATE POLICY catalog_defaults_write ON "catalog_defaults" FOR INSERT WITH CHECK (cloison_all_tenants());
CREATE POLICY catalog_defaults_update ON "catalog_defaults" FOR UPDATE
    USING (cloison_all_tenants()) WITH CHECK (cloison_all_tenants());

GRANT SELECT, INSERT, UPDATE ON "change_requests" TO cloison_app;
GRANT SELECT, INSERT ON "change_request_approvals" TO cloison_app;
GRANT SELECT, INSERT, UPDATE ON "catalog_defaults" TO cloison_app;

-- Election seals ------------------------------------------------------------------------

CREATE TABLE "seals" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "label" TEXT NOT NULL,
    "required_approvals" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "proposed_by_id" TEXT NOT NULL,
    "proposed_by" TEXT NOT NULL,
    "proposed_by_role" TEXT NOT NULL,
    "proposed_at" TIMESTAMPTZ(3) NOT NULL,
    "activated_at" TIMESTAMPTZ(3),
    "fingerprint" TEXT,
    "document" JSONB,
    "lifted_at" TIMESTAMPTZ(3),
    "lift_reason" TEXT,
    "break_glass" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "seals_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "seal_approvals" (
    "seal_id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "principal_id" TEXT NOT NULL,
    "principal_name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "reason" TEXT,
    "approved_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "seal_approvals_pkey" PRIMARY KEY ("seal_id","principal_id","purpose")
);

CREATE INDEX "seals_tenant_id_status_idx" ON "seals"("tenant_id", "status");
-- At most one active seal per tenant.
CREATE UNIQUE INDEX "seals_one_active_per_tenant" ON "seals"("tenant_id") WHERE "status" = 'active';

ALTER TABLE "seals" ADD CONSTRAINT "seals_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "change_requests" ADD CONSTRAINT "change_requests_break_glass_seal_id_fkey" FOREIGN KEY ("break_glass_seal_id") REFERENCES "seals"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "seal_approvals" ADD CONSTRAINT "seal_approvals_seal_id_fkey" FOREIGN KEY ("seal_id") REFERENCES "seals"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "seals" ADD CONSTRAINT "seals_status_check" CHECK ("status" IN ('proposed', 'active', 'lifted'));
ALTER TABLE "seals" ADD CONSTRAINT "seals_required_approvals_check" CHECK ("required_approvals" BETWEEN 2 AND 20);
ALTER TABLE "seals" ADD CONSTRAINT "seals_active_signed_check" CHECK ("status" = 'proposed' OR ("fingerprint" IS NOT NULL AND "document" IS NOT NULL));
ALTER TABLE "seal_approvals" ADD CONSTRAINT "seal_approvals_purpose_check" CHECK ("purpose" IN ('activate', 'lift', 'break_glass'));

ALTER TABLE "seals" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "seals" FORCE ROW LEVEL SECURITY;
CREATE POLICY seals_read ON "seals" FOR SELECT
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY seals_insert ON "seals" FOR INSERT
    WITH CHECK ("tenant_id" = cloison_current_tenant());
CREATE POLICY seals_update ON "seals" FOR UPDATE
    USING ("tenant_id" = cloison_current_tenant()) WITH CHECK ("tenant_id" = cloison_current_tenant());

ALTER TABLE "seal_approvals" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "seal_approvals" FORCE ROW LEVEL SECURITY;
CREATE POLICY seal_approvals_read ON "seal_approvals" FOR SELECT
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY seal_approvals_insert ON "seal_approvals" FOR INSERT
    WITH CHECK ("tenant_id" = cloison_current_tenant()
        AND EXISTS (SELECT 1 FROM "seals" s WHERE s."id" = "seal_id" AND s."tenant_id" = cloison_current_tenant()));

GRANT SELECT, INSERT, UPDATE ON "seals" TO cloison_app;
GRANT SELECT, INSERT ON "seal_approvals" TO cloison_app;
