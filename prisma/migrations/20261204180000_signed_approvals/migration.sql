-- Signed approvals: people enrol public keys (WebAuthn passkeys or Ed25519 keys) and sign what
-- they approve; a tenant may refuse unsigned approvals of its critical options.
ALTER TABLE "tenants" ADD COLUMN "signed_approvals" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "credentials" (
    "fingerprint" TEXT NOT NULL,
    "principal_id" TEXT NOT NULL,
    "tenant_id" UUID,
    "kind" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "public_key_jwk" JSONB NOT NULL,
    "webauthn_id" TEXT,
    "cose_key" TEXT,
    "counter" BIGINT NOT NULL DEFAULT 0,
    "rp_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "removed_at" TIMESTAMPTZ(3),

    CONSTRAINT "credentials_pkey" PRIMARY KEY ("fingerprint")
);
CREATE UNIQUE INDEX "credentials_webauthn_id_key" ON "credentials"("webauthn_id");
CREATE INDEX "credentials_principal_id_idx" ON "credentials"("principal_id");
CREATE INDEX "credentials_tenant_id_idx" ON "credentials"("tenant_id");
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_kind_check" CHECK ("kind" IN ('webauthn', 'ed25519'));
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_webauthn_check"
    CHECK (("kind" = 'webauthn') = ("webauthn_id" IS NOT NULL AND "cose_key" IS NOT NULL AND "rp_id" IS NOT NULL));

-- A client admin's keys are its tenant's; an operator's (no tenant) only in the cross-tenant scope.
ALTER TABLE "credentials" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "credentials" FORCE ROW LEVEL SECURITY;
CREATE POLICY credentials_read ON "credentials" FOR SELECT
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY credentials_insert ON "credentials" FOR INSERT
    WITH CHECK ("tenant_id" = cloison_current_tenant() OR ("tenant_id" IS NULL AND cloison_all_tenants()));
CREATE POLICY credentials_update ON "credentials" FOR UPDATE
    USING ("tenant_id" = cloison_current_tenant() OR ("tenant_id" IS NULL AND cloison_all_tenants()))
    WITH CHECK ("tenant_id" = cloison_current_tenant() OR ("tenant_id" IS NULL AND cloison_all_tenants()));

-- Approvals are judged inside one tenant's scope, where operators' keys are invisible: this
-- returns the live keys of exactly the principal asked for.
CREATE FUNCTION cloison_principal_credentials(p_principal text)
    RETURNS SETOF "credentials"
    LANGUAGE sql STABLE
    SET app.all_tenants = 'on'
    AS $$ SELECT * FROM credentials c WHERE c.principal_id = p_principal AND c.removed_at IS NULL $$;

-- A passkey's signature counter moves with each approval, in whichever tenant it is given.
CREATE FUNCTION cloison_credential_used(p_fingerprint text, p_counter bigint)
    RETURNS void
    LANGUAGE sql VOLATILE
    SET app.all_tenants = 'on'
    AS $$ UPDATE credentials SET counter = p_counter WHERE fingerprint = p_fingerprint AND removed_at IS NULL $$;

GRANT SELECT, INSERT, UPDATE ON "credentials" TO cloison_app;
GRANT EXECUTE ON FUNCTION cloison_credential_used(text, bigint) TO cloison_app;
GRANT EXECUTE ON FUNCTION cloison_principal_credentials(text) TO cloison_app;

-- A token may be given an end: past it, it authenticates nobody (the principal stays, for the record).
ALTER TABLE "principals" ADD COLUMN "token_expires_at" TIMESTAMPTZ(3);
DROP FUNCTION cloison_authenticate(text);
CREATE FUNCTION cloison_authenticate(p_token_hash text)
    RETURNS TABLE (id uuid, name text, role text, tenant_id uuid, tenant_slug text, token_hash text, token_expires_at timestamptz)
    LANGUAGE sql STABLE
    SET app.all_tenants = 'on'
    AS $$
        SELECT p.id, p.name, p.role, p.tenant_id, t.slug, p.token_hash, p.token_expires_at
        FROM principals p LEFT JOIN tenants t ON t.id = p.tenant_id
        WHERE p.token_hash = p_token_hash AND p.revoked_at IS NULL
          AND (p.token_expires_at IS NULL OR p.token_expires_at > now())
    $$;
GRANT EXECUTE ON FUNCTION cloison_authenticate(text) TO cloison_app;
