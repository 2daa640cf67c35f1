-- The REST option routes in one statement each: a function that binds the statement's own
-- (implicit) transaction to the tenant, reads under row-level security as the caller, and reports
-- the session it ran in (role, row security) so that the service refuses a switched session as
-- TenantScopeService does for interactive transactions. Both run with the caller's rights.

-- One option of one tenant as stored (no row when the tenant never set it); read-only.
CREATE FUNCTION cloison_read_option(p_tenant uuid, p_key text)
RETURNS TABLE (session_role text, session_rls boolean, tenant_id uuid, is_set boolean, value jsonb,
               version integer, updated_at timestamptz, updated_by_id text, updated_by text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('transaction_read_only', 'on', true);
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY
    SELECT current_user::text, row_security_active('public.tenants'), v.tenant_id, v.is_set, v.value,
           v.version, v.updated_at, v.updated_by_id, v.updated_by
      FROM (SELECT 1) AS one
      LEFT JOIN option_values v ON v.tenant_id = p_tenant AND v.option_key = p_key;
END $$;

-- cloison_option_state plus the tenant's current risk level (approvals depend on it) and the
-- session check; no row when the tenant does not exist.
CREATE FUNCTION cloison_option_write_state(p_tenant uuid, p_key text)
RETURNS TABLE (session_role text, session_rls boolean, risk_level integer, seal_id text, is_set boolean,
               value jsonb, version integer, updated_at timestamptz, updated_by_id text, updated_by text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY
    SELECT current_user::text, row_security_active('public.tenants'), t.risk_level, s.id::text,
           v.is_set, v.value, v.version, v.updated_at, v.updated_by_id, v.updated_by
      FROM tenants t
      LEFT JOIN seals s ON s.tenant_id = t.id AND s.status = 'active'
      LEFT JOIN option_values v ON v.tenant_id = t.id AND v.option_key = p_key
     WHERE t.id = p_tenant;
END $$;

GRANT EXECUTE ON FUNCTION cloison_read_option(uuid, text) TO cloison_app;
GRANT EXECUTE ON FUNCTION cloison_option_write_state(uuid, text) TO cloison_app;
