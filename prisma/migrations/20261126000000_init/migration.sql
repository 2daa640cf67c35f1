-- Cloison initial schema: tables, row-level security, grants for the application role
-- and the append-only guarantees of the audit log.
--
-- The application works as the role "cloison_app" (NOSUPERUSER, NOBYPASSRLS, not the owner
-- of any table). Every tenant-scoped table has ENABLE + FORCE ROW LEVEL SECURITY; the
-- policies read two transaction-local settings written by libs/tenancy:
--   app.tenant_id   the one tenant the current unit of work touches
--   app.all_tenants 'on' only for reads by principals whose role spans tenants
-- Writes always require app.tenant_id: no statement can write two tenants at once.

-- CreateTable
CREATE TABLE "tenants" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "risk_level" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "principals" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "tenant_id" UUID,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "principals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "option_values" (
    "tenant_id" UUID NOT NULL,
    "option_key" TEXT NOT NULL,
    "is_set" BOOLEAN NOT NULL,
    "value" JSONB NOT NULL,
    "version" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_by_id" TEXT NOT NULL,
    "updated_by" TEXT NOT NULL,

    CONSTRAINT "option_values_pkey" PRIMARY KEY ("tenant_id","option_key")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "seq" BIGINT NOT NULL,
    "tenant_id" UUID,
    "tenant_seq" BIGINT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "actor_id" TEXT NOT NULL,
    "actor_name" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "option_key" TEXT,
    "before" JSONB,
    "after" JSONB,
    "reason" TEXT,
    "request_id" TEXT,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "audit_heads" (
    "chain" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_heads_pkey" PRIMARY KEY ("chain")
);

-- CreateIndex
CREATE UNIQUE INDEX "tenants_slug_key" ON "tenants"("slug");
CREATE UNIQUE INDEX "principals_token_hash_key" ON "principals"("token_hash");
CREATE INDEX "principals_tenant_id_idx" ON "principals"("tenant_id");
CREATE INDEX "audit_events_tenant_id_tenant_seq_idx" ON "audit_events"("tenant_id", "tenant_seq");
CREATE INDEX "audit_events_option_key_idx" ON "audit_events"("option_key");
CREATE INDEX "audit_events_actor_id_idx" ON "audit_events"("actor_id");
CREATE INDEX "audit_events_occurred_at_idx" ON "audit_events"("occurred_at");

-- AddForeignKey
ALTER TABLE "option_values" ADD CONSTRAINT "option_values_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Integrity the application relies on, kept by the database too.
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_risk_level_check" CHECK ("risk_level" BETWEEN 1 AND 3);
ALTER TABLE "principals" ADD CONSTRAINT "principals_role_check"
    CHECK ("role" IN ('operator', 'client_admin', 'compliance', 'service'));
ALTER TABLE "principals" ADD CONSTRAINT "principals_tenant_binding_check"
    CHECK (("role" IN ('client_admin', 'service')) = ("tenant_id" IS NOT NULL));
ALTER TABLE "option_values" ADD CONSTRAINT "option_values_version_check" CHECK ("version" >= 1);

-- The global chain's head exists from the start; tenant heads are created on first event.
INSERT INTO "audit_heads" ("chain", "seq", "hash") VALUES ('global', 0, '');

-- Row visibility -----------------------------------------------------------------------

CREATE FUNCTION cloison_current_tenant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE FUNCTION cloison_all_tenants() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('app.all_tenants', true), '') = 'on' $$;

ALTER TABLE "tenants" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "tenants" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_read ON "tenants" FOR SELECT
    USING (cloison_all_tenants() OR "id" = cloison_current_tenant());
CREATE POLICY tenants_insert ON "tenants" FOR INSERT
    WITH CHECK ("id" = cloison_current_tenant());
CREATE POLICY tenants_update ON "tenants" FOR UPDATE
    USING ("id" = cloison_current_tenant()) WITH CHECK ("id" = cloison_current_tenant());

ALTER TABLE "option_values" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "option_values" FORCE ROW LEVEL SECURITY;
CREATE POLICY option_values_read ON "option_values" FOR SELECT
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY option_values_insert ON "option_values" FOR INSERT
    WITH CHECK ("tenant_id" = cloison_current_tenant());
CREATE POLICY option_values_update ON "option_values" FOR UPDATE
    USING ("tenant_id" = cloison_current_tenant()) WITH CHECK ("tenant_id" = cloison_current_tenant());
CREATE POLICY option_values_delete ON "option_values" FOR DELETE
    USING ("tenant_id" = cloison_current_tenant());

-- Principals without a tenant (operator, compliance) are visible only to cross-tenant work.
ALTER TABLE "principals" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "principals" FORCE ROW LEVEL SECURITY;
CREATE POLICY principals_read ON "principals" FOR SELECT
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY principals_insert ON "principals" FOR INSERT
    WITH CHECK ("tenant_id" = cloison_current_tenant() OR ("tenant_id" IS NULL AND cloison_all_tenants()));
CREATE POLICY principals_update ON "principals" FOR UPDATE
    USING ("tenant_id" = cloison_current_tenant() OR ("tenant_id" IS NULL AND cloison_all_tenants()))
    WITH CHECK ("tenant_id" = cloison_current_tenant() OR ("tenant_id" IS NULL AND cloison_all_tenants()));

ALTER TABLE "audit_events" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "audit_events" FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_events_read ON "audit_events" FOR SELECT
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY audit_events_insert ON "audit_events" FOR INSERT
    WITH CHECK ("tenant_id" = cloison_current_tenant() OR ("tenant_id" IS NULL AND cloison_all_tenants()));

-- A tenant's chain head is that tenant's; the global head is shared by every writer.
ALTER TABLE "audit_heads" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "audit_heads" FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_heads_access ON "audit_heads" FOR ALL
    USING ("chain" = 'global' OR cloison_all_tenants() OR "chain" = cloison_current_tenant()::text)
    WITH CHECK ("chain" = 'global' OR "chain" = cloison_current_tenant()::text);

-- Authentication happens before any tenant is known: this function sees every principal
-- but returns only the one whose token hash is given.
CREATE FUNCTION cloison_authenticate(p_token_hash text)
    RETURNS TABLE (id uuid, name text, role text, tenant_id uuid, tenant_slug text, token_hash text)
    LANGUAGE sql STABLE
    SET app.all_tenants = 'on'
    AS $$
        SELECT p.id, p.name, p.role, p.tenant_id, t.slug, p.token_hash
        FROM principals p LEFT JOIN tenants t ON t.id = p.tenant_id
        WHERE p.token_hash = p_token_hash AND p.revoked_at IS NULL
    $$;

-- Append-only audit log, for everyone (the application role also lacks the privileges).
CREATE FUNCTION cloison_audit_immutable() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN RAISE EXCEPTION 'audit log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege'; END $$;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON "audit_events"
    FOR EACH ROW EXECUTE FUNCTION cloison_audit_immutable();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON "audit_events"
    FOR EACH STATEMENT EXECUTE FUNCTION cloison_audit_immutable();

-- Grants: the application role reads and writes rows, never owns or alters tables.
GRANT USAGE ON SCHEMA public TO cloison_app;
GRANT SELECT, INSERT, UPDATE ON "tenants" TO cloison_app;
GRANT SELECT, INSERT, UPDATE ON "principals" TO cloison_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON "option_values" TO cloison_app;
GRANT SELECT, INSERT ON "audit_events" TO cloison_app;
GRANT SELECT, INSERT, UPDATE ON "audit_heads" TO cloison_app;
GRANT EXECUTE ON FUNCTION cloison_authenticate(text) TO cloison_app;
