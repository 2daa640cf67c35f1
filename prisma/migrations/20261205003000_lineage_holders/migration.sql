-- A client admin's approval that does not stand for the client is shown with the person whose lineage
-- it is in (docs/security.md, "Client consent"). That person is usually an operator, whose row is
-- invisible in the tenant's scope: this returns, for exactly the principals asked for, the first
-- principal of their lineage, for principals of the caller's own tenant only (the scope it was
-- called in: the SET below lifts nothing else).
CREATE FUNCTION cloison_lineage_holders(p_ids text[])
    RETURNS TABLE (id text, holder_id text, holder_name text)
    LANGUAGE sql STABLE
    SET app.all_tenants = 'on'
    AS $$ SELECT p.id::text, root.id::text, root.name FROM principals p JOIN principals root ON root.id::text = p.lineage_id
           WHERE p.id::text = ANY(p_ids) AND p.tenant_id = cloison_current_tenant() $$;

GRANT EXECUTE ON FUNCTION cloison_lineage_holders(text[]) TO cloison_app;
