-- Tamper-evident audit log: every event carries the SHA-256 of its canonical content and its
-- link hash in two chains (global, and its tenant's); signed checkpoints over chain heads.
-- See docs/audit.md for the hashing rules. Both audit tables are append-only for everyone.

-- Events written before the chain existed cannot be linked after the fact (the log is
-- immutable): such a database must export its log and start a new one.
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM "audit_events") THEN
        RAISE EXCEPTION 'audit_events already holds events without hashes; archive them and start from an empty audit log';
    END IF;
END $$;

-- AlterTable
ALTER TABLE "audit_events"
    ADD COLUMN "diff" JSONB,
    ADD COLUMN "content_hash" TEXT NOT NULL,
    ADD COLUMN "hash" TEXT NOT NULL,
    ADD COLUMN "tenant_hash" TEXT;

ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_hashes_check" CHECK (
    "content_hash" ~ '^[0-9a-f]{64}$' AND "hash" ~ '^[0-9a-f]{64}$'
    AND ("tenant_id" IS NULL) = ("tenant_seq" IS NULL)
    AND ("tenant_id" IS NULL) = ("tenant_hash" IS NULL));

-- One position per event in its tenant's chain.
DROP INDEX "audit_events_tenant_id_tenant_seq_idx";
CREATE UNIQUE INDEX "audit_events_tenant_id_tenant_seq_key" ON "audit_events"("tenant_id", "tenant_seq");

-- Every chain starts from the genesis hash (64 zeros).
UPDATE "audit_heads" SET "hash" = repeat('0', 64) WHERE "hash" = '';

-- CreateTable
CREATE TABLE "audit_checkpoints" (
    "chain" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "tenant_id" UUID,
    "head" TEXT NOT NULL,
    "signed_at" TIMESTAMPTZ(3) NOT NULL,
    "key_fingerprint" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("chain", "seq")
);

ALTER TABLE "audit_checkpoints" ADD CONSTRAINT "audit_checkpoints_chain_check"
    CHECK (("chain" = 'global' AND "tenant_id" IS NULL) OR "chain" = "tenant_id"::text);

ALTER TABLE "audit_checkpoints" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "audit_checkpoints" FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_checkpoints_read ON "audit_checkpoints" FOR SELECT
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY audit_checkpoints_insert ON "audit_checkpoints" FOR INSERT
    WITH CHECK ("tenant_id" = cloison_current_tenant() OR ("tenant_id" IS NULL AND cloison_all_tenants()));

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON "audit_checkpoints"
    FOR EACH ROW EXECUTE FUNCTION cloison_audit_immutable();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON "audit_checkpoints"
    FOR EACH STATEMENT EXECUTE FUNCTION cloison_audit_immutable();

-- The application role appends and reads; nothing else, on either audit table.
REVOKE ALL ON "audit_events" FROM cloison_app;
REVOKE ALL ON "audit_checkpoints" FROM cloison_app;
GRANT SELECT, INSERT ON "audit_events" TO cloison_app;
GRANT SELECT, INSERT ON "audit_checkpoints" TO cloison_app;
