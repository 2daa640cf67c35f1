-- People who sign in through the configured OpenID Connect issuer are registered principals:
-- the (issuer, subject) pair links a staff JWT to exactly one row, which carries the role, the
-- tenant and the name. Such a principal holds no Cloison token of its own.
ALTER TABLE "principals" ADD COLUMN "oidc_issuer" TEXT;
ALTER TABLE "principals" ADD COLUMN "oidc_subject" TEXT;
ALTER TABLE "principals" ALTER COLUMN "token_hash" DROP NOT NULL;

CREATE UNIQUE INDEX "principals_oidc_issuer_oidc_subject_key" ON "principals"("oidc_issuer", "oidc_subject");

-- Exactly one way to authenticate: a token hash, or an (issuer, subject) link.
ALTER TABLE "principals" ADD CONSTRAINT "principals_oidc_link_check"
    CHECK (("oidc_issuer" IS NULL) = ("oidc_subject" IS NULL)
       AND ("oidc_subject" IS NULL) = ("token_hash" IS NOT NULL)
       AND length("oidc_subject") BETWEEN 1 AND 255);

-- Like cloison_authenticate, this runs before any tenant is known and returns only the live
-- principal linked to the given issuer and subject.
CREATE FUNCTION cloison_authenticate_oidc(p_issuer text, p_subject text)
    RETURNS TABLE (id uuid, name text, role text, tenant_id uuid, tenant_slug text)
    LANGUAGE sql STABLE
    SET app.all_tenants = 'on'
    AS $$
        SELECT p.id, p.name, p.role, p.tenant_id, t.slug
        FROM principals p LEFT JOIN tenants t ON t.id = p.tenant_id
        WHERE p.oidc_issuer = p_issuer AND p.oidc_subject = p_subject AND p.revoked_at IS NULL
    $$;
GRANT EXECUTE ON FUNCTION cloison_authenticate_oidc(text, text) TO cloison_app;
