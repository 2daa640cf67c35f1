-- Every stored option row of one tenant in one statement, for the per-instance cache of the REST
-- option reads: like cloison_read_option, it binds the statement's own (implicit) transaction to
-- the tenant, reads only, under row-level security as the caller, and reports the session it ran
-- in on every row (at least one row, all-NULL past the session columns when the tenant set nothing)
-- so that the service refuses a switched session as TenantScopeService does.
CREATE FUNCTION cloison_read_options(p_tenant uuid)
RETURNS TABLE (session_role text, session_rls boolean, tenant_id uuid, option_key text, is_set boolean,
               value jsonb, version integer, updated_at timestamptz, updated_by_id text, updated_by text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('transaction_read_only', 'on', true);
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY
    SELECT current_user::text, row_security_active('public.tenants'), v.tenant_id, v.option_key, v.is_set,
           v.value, v.version, v.updated_at, v.updated_by_id, v.updated_by
      FROM (SELECT 1) AS one
      LEFT JOIN option_values v ON v.tenant_id = p_tenant;
END $$;

GRANT EXECUTE ON FUNCTION cloison_read_options(uuid) TO cloison_app;
