-- Console sessions: a person signed in through the organisation's OpenID provider holds an
-- opaque session id in a cookie; only its hash is kept here. A session is its principal's: it
-- carries the principal's tenant (none for operators and compliance), under row-level security
-- like the principals themselves.
CREATE TABLE "console_sessions" (
    "id_hash" TEXT NOT NULL,
    "principal_id" UUID NOT NULL,
    "tenant_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "console_sessions_pkey" PRIMARY KEY ("id_hash")
);
CREATE INDEX "console_sessions_principal_id_idx" ON "console_sessions"("principal_id");
CREATE INDEX "console_sessions_tenant_id_idx" ON "console_sessions"("tenant_id");
ALTER TABLE "console_sessions" ADD CONSTRAINT "console_sessions_principal_id_fkey"
    FOREIGN KEY ("principal_id") REFERENCES "principals"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "console_sessions" ADD CONSTRAINT "console_sessions_tenant_id_fkey"
    FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "console_sessions" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "console_sessions" FORCE ROW LEVEL SECURITY;
CREATE POLICY console_sessions_read ON "console_sessions" FOR SELECT
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY console_sessions_insert ON "console_sessions" FOR INSERT
    WITH CHECK (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY console_sessions_update ON "console_sessions" FOR UPDATE
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant())
    WITH CHECK (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());
CREATE POLICY console_sessions_delete ON "console_sessions" FOR DELETE
    USING (cloison_all_tenants() OR "tenant_id" = cloison_current_tenant());

-- A session starts before any tenant is known, for a live principal only; its tenant is the
-- principal's, never the caller's word.
CREATE FUNCTION cloison_console_session_open(p_id_hash text, p_principal uuid, p_expires_at timestamptz)
    RETURNS boolean
    LANGUAGE sql VOLATILE
    SET app.all_tenants = 'on'
    AS $$
        WITH opened AS (
            INSERT INTO console_sessions (id_hash, principal_id, tenant_id, expires_at)
            SELECT p_id_hash, p.id, p.tenant_id, p_expires_at
              FROM principals p WHERE p.id = p_principal AND p.revoked_at IS NULL
            RETURNING 1)
        SELECT count(*) = 1 FROM opened
    $$;

-- Like cloison_authenticate: the live principal holding the session, if the session has not
-- passed its absolute end nor been idle longer than p_idle_seconds; using it counts as activity.
CREATE FUNCTION cloison_console_session_authenticate(p_id_hash text, p_idle_seconds integer)
    RETURNS TABLE (id uuid, name text, role text, tenant_id uuid, tenant_slug text, session_expires_at timestamptz)
    LANGUAGE sql VOLATILE
    SET app.all_tenants = 'on'
    AS $$
        WITH s AS (
            UPDATE console_sessions s SET last_seen_at = now()
             WHERE s.id_hash = p_id_hash AND s.expires_at > now()
               AND s.last_seen_at > now() - make_interval(secs => p_idle_seconds)
            RETURNING s.principal_id, s.expires_at)
        SELECT p.id, p.name, p.role, p.tenant_id, t.slug, s.expires_at
          FROM s JOIN principals p ON p.id = s.principal_id LEFT JOIN tenants t ON t.id = p.tenant_id
         WHERE p.revoked_at IS NULL
    $$;

-- Sign-out ends the session (and, on the way, sessions that can no longer be used).
CREATE FUNCTION cloison_console_session_close(p_id_hash text)
    RETURNS boolean
    LANGUAGE sql VOLATILE
    SET app.all_tenants = 'on'
    AS $$
        WITH gone AS (DELETE FROM console_sessions WHERE id_hash = p_id_hash OR expires_at <= now() RETURNING id_hash)
        SELECT count(*) FILTER (WHERE id_hash = p_id_hash) = 1 FROM gone
    $$;

-- Revoking a principal ends its console sessions in the revoking transaction, whichever path
-- revokes it (the lookup refuses revoked principals as well).
CREATE FUNCTION cloison_console_sessions_end() RETURNS trigger
    LANGUAGE plpgsql
    SET app.all_tenants = 'on'
    AS $$
    BEGIN
        DELETE FROM console_sessions WHERE principal_id = NEW.id;
        RETURN NULL;
    END $$;
CREATE TRIGGER principals_console_sessions_end AFTER UPDATE OF revoked_at ON "principals"
    FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL)
    EXECUTE FUNCTION cloison_console_sessions_end();

GRANT SELECT, INSERT, UPDATE, DELETE ON "console_sessions" TO cloison_app;
GRANT EXECUTE ON FUNCTION cloison_console_session_open(text, uuid, timestamptz) TO cloison_app;
GRANT EXECUTE ON FUNCTION cloison_console_session_authenticate(text, integer) TO cloison_app;
GRANT EXECUTE ON FUNCTION cloison_console_session_close(text) TO cloison_app;
