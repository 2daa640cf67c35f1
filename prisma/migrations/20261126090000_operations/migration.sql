-- Operations: the readiness check (GET /ready) compares the migrations on disk with the ones
-- the database has applied, as the application role.
GRANT SELECT ON "_prisma_migrations" TO cloison_app;

-- Staff signing in with a JWT name their tenant by slug; like cloison_authenticate, this runs
-- before any tenant is known and returns only the one tenant asked for.
CREATE FUNCTION cloison_tenant_by_slug(p_slug text)
    RETURNS TABLE (id uuid)
    LANGUAGE sql STABLE
    SET app.all_tenants = 'on'
    AS $$ SELECT t.id FROM tenants t WHERE t.slug = p_slug $$;
GRANT EXECUTE ON FUNCTION cloison_tenant_by_slug(text) TO cloison_app;
