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
