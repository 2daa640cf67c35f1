-- Every catalog definition version the data was reconciled with: what GET /v1/registry/:key
-- shows as the option's history, and what seal verification reads to tell a default-only change
-- (schema and risk unchanged) from a change of the option's rules.
CREATE TABLE "catalog_definition_history" (
    "id" BIGSERIAL NOT NULL,
    "option_key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "risk" TEXT NOT NULL,
    "default_value" JSONB NOT NULL,
    -- SHA-256 of the canonical JSON of the option's schema; NULL for versions recorded before
    -- this table existed (filled in by the next boot whose catalog has that very version).
    "schema_hash" TEXT,
    "reconciled_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "catalog_definition_history_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "catalog_definition_history_option_key_id_idx" ON "catalog_definition_history"("option_key", "id");

-- What the reconciliation had recorded so far becomes the first entry of each option.
INSERT INTO "catalog_definition_history" ("option_key", "version", "risk", "default_value", "schema_hash", "reconciled_at")
SELECT "option_key", "version", "risk", "default_value", NULL, "applied_at" FROM "catalog_defaults" ORDER BY "option_key";

-- Global, not tenant data: everyone reads it; only the boot-time reconciliation (cross-tenant
-- scope) appends. No UPDATE or DELETE for the application role, except filling in a missing
-- schema hash once.
ALTER TABLE "catalog_definition_history" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "catalog_definition_history" FORCE ROW LEVEL SECURITY;
CREATE POLICY catalog_definition_history_read ON "catalog_definition_history" FOR SELECT USING (true);
CREATE POLICY catalog_definition_history_insert ON "catalog_definition_history" FOR INSERT WITH CHECK (cloison_all_tenants());
CREATE POLICY catalog_definition_history_fill ON "catalog_definition_history" FOR UPDATE
    USING (cloison_all_tenants() AND "schema_hash" IS NULL) WITH CHECK (cloison_all_tenants());

GRANT SELECT, INSERT ON "catalog_definition_history" TO cloison_app;
GRANT UPDATE ("schema_hash") ON "catalog_definition_history" TO cloison_app;
GRANT USAGE ON SEQUENCE "catalog_definition_history_id_seq" TO cloison_app;
