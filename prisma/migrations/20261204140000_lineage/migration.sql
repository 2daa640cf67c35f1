-- Principals belong to people, and approvals count people.
--
-- created_by_id: who made the principal ('system' for the bootstrap operators).
-- lineage_id:    the person behind the credential. A token answered to its creator stays in the
--                creator's lineage; a credential delivered to someone else (bootstrap, an
--                invitation by mail) starts its own lineage (= the principal's id).
-- Principals that existed before this migration each start their own lineage: nothing recorded
-- says who held their tokens.

ALTER TABLE "principals" ADD COLUMN "created_by_id" TEXT;
ALTER TABLE "principals" ADD COLUMN "lineage_id" TEXT;
ALTER TABLE "principals" ADD COLUMN "email" TEXT;
ALTER TABLE "principals" ADD COLUMN "invited_by" TEXT;
UPDATE "principals" SET "lineage_id" = "id"::text WHERE "lineage_id" IS NULL;
ALTER TABLE "principals" ALTER COLUMN "lineage_id" SET NOT NULL;

-- Changes to who may act that wait for someone else's approval: a new operator (another
-- operator outside the requester's lineage approves; the token then goes to the requester once),
-- a client admin invited or revoked by an operator (a client admin of the tenant approves).
CREATE TABLE "principal_requests" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "tenant_id" UUID,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "target_id" UUID,
    "requested_by_id" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "decided_by_id" TEXT,
    "decided_by" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "principal_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "principal_requests_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "principal_requests" ADD CONSTRAINT "principal_requests_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "principal_requests" ADD CONSTRAINT "principal_requests_kind_check"
    CHECK (("kind" = 'operator' AND "tenant_id" IS NULL) OR ("kind" IN ('invitation', 'revocation') AND "tenant_id" IS NOT NULL));
ALTER TABLE "principal_requests" ADD CONSTRAINT "principal_requests_status_check"
    CHECK ("status" IN ('pending', 'approved', 'delivered'));
CREATE INDEX "principal_requests_tenant_id_idx" ON "principal_requests"("tenant_id");

-- One-time codes that let an invited person become a client admin. Only the hash is stored.
CREATE TABLE "invitations" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "code_hash" TEXT NOT NULL,
    "delivery" TEXT NOT NULL,
    "invited_by_id" TEXT NOT NULL,
    "invited_by" TEXT NOT NULL,
    "lineage_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "redeemed_at" TIMESTAMPTZ(3),
    "principal_id" UUID,

    CONSTRAINT "invitations_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "invitations_code_hash_key" ON "invitations"("code_hash");
CREATE INDEX "invitations_tenant_id_idx" ON "invitations"("tenant_id");
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_delivery_check" CHECK ("delivery" IN ('smtp', 'outbox', 'shown'));

ALTER TABLE "principal_requests" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "principal_requests" FORCE ROW LEVEL SECURITY;
CREATE POLICY principal_requests_read ON "principal_requests" FOR SELECT
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY principal_requests_insert ON "principal_requests" FOR INSERT
    WITH CHECK ("tenant_id" = cloison_current_tenant() OR ("tenant_id" IS NULL AND cloison_all_tenants()));
CREATE POLICY principal_requests_update ON "principal_requests" FOR UPDATE
    USING ("tenant_id" = cloison_current_tenant() OR ("tenant_id" IS NULL AND cloison_all_tenants()))
    WITH CHECK ("tenant_id" = cloison_current_tenant() OR ("tenant_id" IS NULL AND cloison_all_tenants()));

ALTER TABLE "invitations" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "invitations" FORCE ROW LEVEL SECURITY;
CREATE POLICY invitations_read ON "invitations" FOR SELECT
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY invitations_insert ON "invitations" FOR INSERT
    WITH CHECK ("tenant_id" = cloison_current_tenant());
CREATE POLICY invitations_update ON "invitations" FOR UPDATE
    USING ("tenant_id" = cloison_current_tenant()) WITH CHECK ("tenant_id" = cloison_current_tenant());

-- Approvals are judged inside one tenant's scope, where operators (no tenant) are invisible:
-- this returns the lineage and creation time of exactly the principals asked for.
CREATE FUNCTION cloison_principal_lineages(p_ids text[])
    RETURNS TABLE (id text, lineage_id text, created_at timestamptz)
    LANGUAGE sql STABLE
    SET app.all_tenants = 'on'
    AS $$ SELECT p.id::text, p.lineage_id, p.created_at FROM principals p WHERE p.id::text = ANY(p_ids) $$;

-- Redeeming an invitation happens before any tenant is known: this finds the one invitation
-- whose code hash is given, and nothing else.
CREATE FUNCTION cloison_invitation_by_code(p_code_hash text)
    RETURNS TABLE (id uuid, tenant_id uuid)
    LANGUAGE sql STABLE
    SET app.all_tenants = 'on'
    AS $$ SELECT i.id, i.tenant_id FROM invitations i WHERE i.code_hash = p_code_hash $$;

GRANT SELECT, INSERT, UPDATE ON "principal_requests" TO cloison_app;
GRANT SELECT, INSERT, UPDATE ON "invitations" TO cloison_app;
GRANT EXECUTE ON FUNCTION cloison_principal_lineages(text[]) TO cloison_app;
GRANT EXECUTE ON FUNCTION cloison_invitation_by_code(text) TO cloison_app;
