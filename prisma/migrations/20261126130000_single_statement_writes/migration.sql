-- The audit append as one function (the only definition of how an event joins its chains), and
-- a direct option change as one statement that is its own transaction. The global chain head is
-- the one row every change locks; inside a single statement it stays locked only until that
-- statement commits, never across a round trip to the client. Both functions run with the
-- caller's rights: row-level security and grants apply as to any other statement.

-- Link hash = sha256(previous link hash || content hash), both hex text: see docs/audit.md.
-- Advances the tenant's head (when the event has a tenant) and the global head, then inserts the
-- event; heads are locked rows, so sequence numbers are dense, ordered and never reused.
CREATE FUNCTION cloison_audit_append(
    p_tenant uuid, p_at timestamptz, p_actor_id text, p_actor_name text, p_actor_role text,
    p_action text, p_option text, p_before jsonb, p_after jsonb, p_diff jsonb, p_reason text,
    p_request_id text, p_content_hash text)
RETURNS TABLE (event_seq bigint, event_hash text, event_tenant_seq bigint, event_tenant_hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN QUERY
    WITH t AS (
        INSERT INTO audit_heads AS h (chain, seq, hash)
        SELECT p_tenant::text, 1, encode(sha256(convert_to(repeat('0', 64) || p_content_hash, 'UTF8')), 'hex')
         WHERE p_tenant IS NOT NULL
        ON CONFLICT (chain) DO UPDATE SET seq = h.seq + 1, hash = encode(sha256(convert_to(h.hash || p_content_hash, 'UTF8')), 'hex')
        RETURNING h.seq, h.hash
    ), g AS (
        UPDATE audit_heads AS h SET seq = h.seq + 1, hash = encode(sha256(convert_to(h.hash || p_content_hash, 'UTF8')), 'hex')
         WHERE h.chain = 'global' RETURNING h.seq, h.hash
    )
    INSERT INTO audit_events AS e (seq, tenant_id, tenant_seq, occurred_at, actor_id, actor_name, actor_role, action,
                                   option_key, before, after, diff, reason, request_id, content_hash, hash, tenant_hash)
    SELECT g.seq, p_tenant, t.seq, p_at, p_actor_id, p_actor_name, p_actor_role, p_action, p_option,
           p_before, p_after, p_diff, p_reason, p_request_id, p_content_hash, g.hash, t.hash
      FROM g LEFT JOIN t ON true
    RETURNING e.seq, e.hash, e.tenant_seq, e.tenant_hash;
END $$;

-- What a direct change needs to know first: whether the tenant exists and is sealed, and the
-- option's stored row (if any). Binds the statement to the tenant like every tenant transaction.
CREATE FUNCTION cloison_option_state(p_tenant uuid, p_key text)
RETURNS TABLE (seal_id text, is_set boolean, value jsonb, version integer, updated_at timestamptz,
               updated_by_id text, updated_by text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY
    SELECT s.id::text, v.is_set, v.value, v.version, v.updated_at, v.updated_by_id, v.updated_by
      FROM tenants t
      LEFT JOIN seals s ON s.tenant_id = t.id AND s.status = 'active'
      LEFT JOIN option_values v ON v.tenant_id = t.id AND v.option_key = p_key
     WHERE t.id = p_tenant;
END $$;

-- One option change of one tenant, applied only if the option is still at p_expected (the
-- version the caller read and hashed `before` from) and the tenant is not sealed, with its audit
-- event. Outcome: 'applied' (with the event's chain positions), 'sealed', 'conflict' (with the
-- current version) or 'no_tenant'; anything raised rolls the whole statement back.
CREATE FUNCTION cloison_apply_option(
    p_tenant uuid, p_key text, p_expected integer, p_is_set boolean, p_value jsonb,
    p_event_tenant uuid, p_at timestamptz, p_actor_id text, p_actor_name text, p_actor_role text,
    p_action text, p_option text, p_before jsonb, p_after jsonb, p_diff jsonb, p_reason text,
    p_request_id text, p_content_hash text)
RETURNS TABLE (outcome text, current_version integer, active_seal text,
               event_seq bigint, event_hash text, event_tenant_seq bigint, event_tenant_hash text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_seal text;
    v_version integer;
    v_written integer;
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    IF p_option IS DISTINCT FROM p_key OR p_event_tenant IS DISTINCT FROM p_tenant THEN
        RAISE EXCEPTION 'the audit event does not describe this change (option %, tenant %)', p_option, p_event_tenant;
    END IF;
    -- Share-locks the tenant so that a seal cannot become active between this check and the write.
    SELECT s.id::text INTO v_seal FROM tenants t
      LEFT JOIN seals s ON s.tenant_id = t.id AND s.status = 'active'
     WHERE t.id = p_tenant FOR SHARE OF t;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_tenant', NULL::integer, NULL::text, NULL::bigint, NULL::text, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    IF v_seal IS NOT NULL THEN
        RETURN QUERY SELECT 'sealed', NULL::integer, v_seal, NULL::bigint, NULL::text, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    SELECT o.version INTO v_version FROM option_values o
     WHERE o.tenant_id = p_tenant AND o.option_key = p_key FOR UPDATE;
    IF coalesce(v_version, 0) <> p_expected THEN
        RETURN QUERY SELECT 'conflict', coalesce(v_version, 0), NULL::text, NULL::bigint, NULL::text, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    INSERT INTO option_values AS o (tenant_id, option_key, is_set, value, version, updated_at, updated_by_id, updated_by)
    VALUES (p_tenant, p_key, p_is_set, p_value, p_expected + 1, p_at, p_actor_id, p_actor_name)
    ON CONFLICT (tenant_id, option_key) DO UPDATE
       SET is_set = EXCLUDED.is_set, value = EXCLUDED.value, version = EXCLUDED.version,
           updated_at = EXCLUDED.updated_at, updated_by_id = EXCLUDED.updated_by_id, updated_by = EXCLUDED.updated_by
     WHERE o.version = p_expected;
    GET DIAGNOSTICS v_written = ROW_COUNT;
    IF v_written = 0 THEN
        -- Another first write of this option committed between the read and the insert.
        RETURN QUERY SELECT 'conflict', NULL::integer, NULL::text, NULL::bigint, NULL::text, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'applied', p_expected + 1, NULL::text, a.event_seq, a.event_hash, a.event_tenant_seq, a.event_tenant_hash
      FROM cloison_audit_append(p_tenant, p_at, p_actor_id, p_actor_name, p_actor_role, p_action, p_option,
                                p_before, p_after, p_diff, p_reason, p_request_id, p_content_hash) a;
END $$;
