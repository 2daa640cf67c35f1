-- Direct option changes that arrive together, in one statement and one transaction: each item is
-- exactly `cloison_change_option` (its tenant bound, row-level security checked, the row written
-- against what its caller believes is stored, its event appended to its tenant's chain), so the
-- rules stay in one place and an item answers what it would have answered alone. The items are
-- applied in (tenant, option) order, the order every batch takes its row locks in, so that two
-- batches never wait on each other in a cycle. An error in any item rolls back the whole batch;
-- the service then sends each item alone (ChangeBatcher), so one item's failure is its own.
CREATE FUNCTION cloison_change_options(
    p_tenant uuid[], p_key text[], p_risk_level integer[], p_expected integer[], p_before_is_set boolean[],
    p_is_set boolean[], p_value jsonb[],
    p_event_tenant uuid[], p_at timestamptz[], p_actor_id text[], p_actor_name text[], p_actor_role text[],
    p_action text[], p_option text[], p_before jsonb[], p_after jsonb[], p_diff jsonb[], p_reason text[],
    p_request_id text[], p_content_hash text[])
RETURNS TABLE (item integer, session_role text, session_rls boolean, outcome text, risk_level integer, seal_id text,
               is_set boolean, value jsonb, version integer, updated_at timestamptz, updated_by_id text, updated_by text,
               event_id bigint, event_tenant_seq bigint, event_tenant_hash text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    i integer;
    n integer := coalesce(array_length(p_tenant, 1), 0);
BEGIN
    IF n = 0 OR array_length(p_key, 1) <> n OR array_length(p_content_hash, 1) <> n THEN
        RAISE EXCEPTION 'a batch of option changes needs as many of each argument (% tenants)', n;
    END IF;
    FOR i IN SELECT g FROM generate_subscripts(p_tenant, 1) AS g ORDER BY p_tenant[g], p_key[g], g LOOP
        RETURN QUERY SELECT i, c.* FROM cloison_change_option(
            p_tenant[i], p_key[i], p_risk_level[i], p_expected[i], p_before_is_set[i], p_is_set[i], p_value[i],
            p_event_tenant[i], p_at[i], p_actor_id[i], p_actor_name[i], p_actor_role[i], p_action[i], p_option[i],
            p_before[i], p_after[i], p_diff[i], p_reason[i], p_request_id[i], p_content_hash[i]) AS c;
    END LOOP;
END $$;

GRANT EXECUTE ON FUNCTION cloison_change_options(uuid[], text[], integer[], integer[], boolean[], boolean[], jsonb[], uuid[],
    timestamptz[], text[], text[], text[], text[], text[], jsonb[], jsonb[], jsonb[], text[], text[], text[]) TO cloison_app;
