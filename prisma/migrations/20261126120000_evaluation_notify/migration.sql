-- Change notifications for the evaluation caches (OFREP).
--
-- Every API instance keeps in-memory, per-tenant snapshots of effective values and a cache of
-- authenticated principals. Triggers on the tables those caches read announce each committed
-- change, whatever code path wrote it:
--   * NOTIFY on channel "cloison_evaluation" (delivered at commit, never for a rolled-back
--     transaction) for instances that LISTEN, with payload 'values:<tenant uuid>' (a tenant's option
--     values), 'tenant:<uuid>' (the tenant row) or 'principal:<uuid>';
--   * a single change counter in "evaluation_changes", for instances whose connection cannot
--     receive notifications (the embedded PGlite server): they poll it and drop every cache
--     entry when it moves. The counter carries no tenant data.
-- Option writes already serialise on the global audit chain head, so the counter row adds no
-- contention of its own.

-- CreateTable
CREATE TABLE "evaluation_changes" (
    "id" SMALLINT NOT NULL,
    "seq" BIGINT NOT NULL,

    CONSTRAINT "evaluation_changes_pkey" PRIMARY KEY ("id")
);

ALTER TABLE "evaluation_changes" ADD CONSTRAINT "evaluation_changes_single_row_check" CHECK ("id" = 1);
INSERT INTO "evaluation_changes" ("id", "seq") VALUES (1, 0);

CREATE FUNCTION cloison_evaluation_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    row_ref text;
BEGIN
    IF TG_TABLE_NAME = 'option_values' THEN
        row_ref := 'values:' || (CASE WHEN TG_OP = 'DELETE' THEN OLD."tenant_id" ELSE NEW."tenant_id" END)::text;
    ELSIF TG_TABLE_NAME = 'tenants' THEN
        row_ref := 'tenant:' || (CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END)::text;
    ELSE
        row_ref := 'principal:' || (CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END)::text;
    END IF;
    PERFORM pg_notify('cloison_evaluation', row_ref);
    RETURN NULL;
END $$;

-- Once per statement, not per row: a bulk statement moves the counter once.
CREATE FUNCTION cloison_evaluation_counted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN UPDATE "evaluation_changes" SET "seq" = "seq" + 1 WHERE "id" = 1; RETURN NULL; END $$;

-- Effective values of a tenant.
CREATE TRIGGER option_values_evaluation_changed AFTER INSERT OR UPDATE OR DELETE ON "option_values"
    FOR EACH ROW EXECUTE FUNCTION cloison_evaluation_changed();
CREATE TRIGGER option_values_evaluation_counted AFTER INSERT OR UPDATE OR DELETE ON "option_values"
    FOR EACH STATEMENT EXECUTE FUNCTION cloison_evaluation_counted();
-- A tenant's slug is part of a cached principal; a new tenant needs no announcement.
CREATE TRIGGER tenants_evaluation_changed AFTER UPDATE OR DELETE ON "tenants"
    FOR EACH ROW EXECUTE FUNCTION cloison_evaluation_changed();
CREATE TRIGGER tenants_evaluation_counted AFTER UPDATE OR DELETE ON "tenants"
    FOR EACH STATEMENT EXECUTE FUNCTION cloison_evaluation_counted();
-- Revocation (revoked_at), role or tenant changes of a principal; a new principal has a new token.
CREATE TRIGGER principals_evaluation_changed AFTER UPDATE OR DELETE ON "principals"
    FOR EACH ROW EXECUTE FUNCTION cloison_evaluation_changed();
CREATE TRIGGER principals_evaluation_counted AFTER UPDATE OR DELETE ON "principals"
    FOR EACH STATEMENT EXECUTE FUNCTION cloison_evaluation_counted();

GRANT SELECT, UPDATE ON "evaluation_changes" TO cloison_app;
