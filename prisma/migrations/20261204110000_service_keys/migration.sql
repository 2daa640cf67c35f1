-- The service's signing key, published in the database so that every instance signs with the
-- same one: the first instance publishes its public key; an instance with another key refuses to
-- start unless it brings the rotation statement signed by the current key (see docs/audit.md).
-- Append-only like the audit tables: a key, once published, stays on record.

-- CreateTable
CREATE TABLE "service_keys" (
    "seq" INTEGER NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "public_key" TEXT NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL,
    "rotation" JSONB,

    CONSTRAINT "service_keys_pkey" PRIMARY KEY ("seq")
);

CREATE UNIQUE INDEX "service_keys_fingerprint_key" ON "service_keys"("fingerprint");

-- The first key is published; every later one comes with the statement that rotated to it.
ALTER TABLE "service_keys" ADD CONSTRAINT "service_keys_rotation_check" CHECK (
    "seq" >= 1 AND ("seq" = 1) = ("rotation" IS NULL) AND "fingerprint" ~ '^sha256:[0-9a-f]{64}$');

ALTER TABLE "service_keys" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "service_keys" FORCE ROW LEVEL SECURITY;
-- Public keys are public; only a cross-tenant (service-level) transaction publishes one.
CREATE POLICY service_keys_read ON "service_keys" FOR SELECT USING (true);
CREATE POLICY service_keys_insert ON "service_keys" FOR INSERT WITH CHECK (cloison_all_tenants());

CREATE TRIGGER service_keys_no_update BEFORE UPDATE OR DELETE ON "service_keys"
    FOR EACH ROW EXECUTE FUNCTION cloison_audit_immutable();
CREATE TRIGGER service_keys_no_truncate BEFORE TRUNCATE ON "service_keys"
    FOR EACH STATEMENT EXECUTE FUNCTION cloison_audit_immutable();

REVOKE ALL ON "service_keys" FROM cloison_app;
GRANT SELECT, INSERT ON "service_keys" TO cloison_app;
