-- Each rule of an option write in one place. The tenant's active seal is read by one function,
-- `cloison_tenant_seal`; the row is written by one function, `cloison_write_option` (seal, version,
-- upsert), which the transactional path (change requests, bulk changes, pins) calls inside its
-- Prisma transaction and the direct path calls inside `cloison_change_option`. The functions that
-- had their own copy of these rules now delegate to them, under the same names and signatures.

-- The tenant's slug, stored risk level and active seal (if any); no row when the tenant does not
-- exist. With `p_lock`, the tenant row is share-locked until the transaction ends: a seal activation
-- takes it FOR NO KEY UPDATE, so no seal becomes active between this check and a write after it.
CREATE FUNCTION cloison_tenant_seal(p_tenant uuid, p_lock boolean)
RETURNS TABLE (slug text, risk_level integer, seal_id text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_lock THEN
        RETURN QUERY
        SELECT t.slug, t.risk_level, s.id::text FROM tenants t
          LEFT JOIN seals s ON s.tenant_id = t.id AND s.status = 'active'
         WHERE t.id = p_tenant FOR SHARE OF t;
    ELSE
        RETURN QUERY
        SELECT t.slug, t.risk_level, s.id::text FROM tenants t
          LEFT JOIN seals s ON s.tenant_id = t.id AND s.status = 'active'
         WHERE t.id = p_tenant;
    END IF;
END $$;

-- Writes one option of one tenant, in the caller's transaction and tenant scope, if:
--   * the tenant exists ('no_tenant') and has no active seal other than `p_allowed_seal` (a
--     break-glass change under that seal) ('sealed');
--   * the row is at version `p_expected` (0: no row yet) and, when given, the tenant is at risk
--     level `p_risk_level` and the row holds what the caller's audit event says it held before
--     (`p_before_is_set`, and `p_before` when it was set) ('moved').
-- The row stays locked until the transaction ends. Outcome 'applied' answers the row written;
-- the others answer the tenant and the row as they are, so that the caller can decide again.
-- The audit event is the caller's (same transaction).
CREATE FUNCTION cloison_write_option(
    p_tenant uuid, p_key text, p_expected integer, p_is_set boolean, p_value jsonb, p_at timestamptz,
    p_actor_id text, p_actor_name text, p_allowed_seal uuid,
    p_risk_level integer, p_before_is_set boolean, p_before jsonb)
RETURNS TABLE (outcome text, slug text, risk_level integer, seal_id text, is_set boolean, value jsonb,
               version integer, updated_at timestamptz, updated_by_id text, updated_by text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_slug text;
    v_risk integer;
    v_seal text;
    o record;
    v_written integer;
BEGIN
    SELECT s.slug, s.risk_level, s.seal_id INTO v_slug, v_risk, v_seal FROM cloison_tenant_seal(p_tenant, true) s;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'no_tenant', NULL::text, NULL::integer, NULL::text, NULL::boolean, NULL::jsonb,
                            NULL::integer, NULL::timestamptz, NULL::text, NULL::text;
        RETURN;
    END IF;
    IF v_seal IS NOT NULL AND v_seal IS DISTINCT FROM p_allowed_seal::text THEN
        RETURN QUERY SELECT 'sealed', v_slug, v_risk, v_seal, NULL::boolean, NULL::jsonb,
                            NULL::integer, NULL::timestamptz, NULL::text, NULL::text;
        RETURN;
    END IF;
    -- No row: every field of `o` is null.
    SELECT v.is_set, v.value, v.version, v.updated_at, v.updated_by_id, v.updated_by INTO o
      FROM option_values v WHERE v.tenant_id = p_tenant AND v.option_key = p_key FOR UPDATE;
    IF coalesce(o.version, 0) <> p_expected
       OR (p_risk_level IS NOT NULL AND v_risk <> p_risk_level)
       OR (p_before_is_set IS NOT NULL AND o.version IS NOT NULL
           AND (o.is_set <> p_before_is_set OR (o.is_set AND o.value IS DISTINCT FROM p_before))) THEN
        RETURN QUERY SELECT 'moved', v_slug, v_risk, v_seal, o.is_set, o.value, o.version, o.updated_at, o.updated_by_id, o.updated_by;
        RETURN;
    END IF;
    IF o.version IS NOT NULL THEN
        -- Locked above: it is still at p_expected. (An upsert would probe the key again and fire
        -- the INSERT triggers as well as the UPDATE ones.)
        UPDATE option_values AS r
           SET is_set = p_is_set, value = p_value, version = p_expected + 1,
               updated_at = p_at, updated_by_id = p_actor_id, updated_by = p_actor_name
         WHERE r.tenant_id = p_tenant AND r.option_key = p_key;
    ELSE
        INSERT INTO option_values AS r (tenant_id, option_key, is_set, value, version, updated_at, updated_by_id, updated_by)
        VALUES (p_tenant, p_key, p_is_set, p_value, p_expected + 1, p_at, p_actor_id, p_actor_name)
        ON CONFLICT (tenant_id, option_key) DO NOTHING;
    END IF;
    GET DIAGNOSTICS v_written = ROW_COUNT;
    IF v_written = 0 THEN
        -- Another first write of this option committed between the read and the insert.
        RETURN QUERY SELECT 'moved', v_slug, v_risk, v_seal, v.is_set, v.value, v.version, v.updated_at, v.updated_by_id, v.updated_by
          FROM option_values v WHERE v.tenant_id = p_tenant AND v.option_key = p_key;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'applied', v_slug, v_risk, v_seal, p_is_set, p_value, p_expected + 1, p_at, p_actor_id, p_actor_name;
END $$;

-- A direct option change in one statement (its own transaction): binds the tenant, writes nothing
-- without row-level security (outcome 'refused'), checks that the audit event describes this change, writes the row
-- with `cloison_write_option` against what the caller believes is stored (its version, the risk
-- level its approval decision used, and the event's `before`), and appends the event to the
-- tenant's chain; the AuditLinker gives it its global place (and sends the change's notification:
-- NOTIFY serialises the commits of every transaction that sends one). When the row, the risk level
-- or the seal is not what the caller believed, nothing is written and the answer carries what is
-- stored, so that the caller decides again without reading first. Reports the session it ran in.
CREATE FUNCTION cloison_change_option(
    p_tenant uuid, p_key text, p_risk_level integer, p_expected integer, p_before_is_set boolean,
    p_is_set boolean, p_value jsonb,
    p_event_tenant uuid, p_at timestamptz, p_actor_id text, p_actor_name text, p_actor_role text,
    p_action text, p_option text, p_before jsonb, p_after jsonb, p_diff jsonb, p_reason text,
    p_request_id text, p_content_hash text)
RETURNS TABLE (session_role text, session_rls boolean, outcome text, risk_level integer, seal_id text, is_set boolean, value jsonb,
               version integer, updated_at timestamptz, updated_by_id text, updated_by text,
               event_id bigint, event_tenant_seq bigint, event_tenant_hash text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    w record;
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    IF NOT row_security_active('public.tenants') THEN
        -- A session switched under the service: nothing is written, and the service refuses it (503).
        RETURN QUERY SELECT current_user::text, false, 'refused', NULL::integer, NULL::text, NULL::boolean, NULL::jsonb,
                            NULL::integer, NULL::timestamptz, NULL::text, NULL::text, NULL::bigint, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    IF p_option IS DISTINCT FROM p_key OR p_event_tenant IS DISTINCT FROM p_tenant OR p_after IS DISTINCT FROM p_value THEN
        RAISE EXCEPTION 'the audit event does not describe this change (option %, tenant %)', p_option, p_event_tenant;
    END IF;
    PERFORM set_config('app.values_notify_on_link', 'on', true);
    SELECT * INTO w FROM cloison_write_option(p_tenant, p_key, p_expected, p_is_set, p_value, p_at, p_actor_id, p_actor_name,
                                              NULL, p_risk_level, p_before_is_set, p_before);
    PERFORM set_config('app.values_notify_on_link', '', true);
    IF w.outcome <> 'applied' THEN
        RETURN QUERY SELECT current_user::text, true, w.outcome, w.risk_level, w.seal_id, w.is_set, w.value, w.version,
                            w.updated_at, w.updated_by_id, w.updated_by, NULL::bigint, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT current_user::text, true, w.outcome, w.risk_level, w.seal_id, w.is_set, w.value, w.version,
                        w.updated_at, w.updated_by_id, w.updated_by, a.event_id, a.event_tenant_seq, a.event_tenant_hash
      FROM cloison_audit_append_unlinked(p_tenant, p_at, p_actor_id, p_actor_name, p_actor_role, p_action, p_option,
                                         p_before, p_after, p_diff, p_reason, p_request_id, p_content_hash) a;
END $$;

-- The earlier functions, on the rules above --------------------------------------------------

CREATE OR REPLACE FUNCTION cloison_option_state(p_tenant uuid, p_key text)
RETURNS TABLE (seal_id text, is_set boolean, value jsonb, version integer, updated_at timestamptz,
               updated_by_id text, updated_by text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY
    SELECT t.seal_id, v.is_set, v.value, v.version, v.updated_at, v.updated_by_id, v.updated_by
      FROM cloison_tenant_seal(p_tenant, false) t
      LEFT JOIN option_values v ON v.tenant_id = p_tenant AND v.option_key = p_key;
END $$;

CREATE OR REPLACE FUNCTION cloison_option_write_state(p_tenant uuid, p_key text)
RETURNS TABLE (session_role text, session_rls boolean, risk_level integer, seal_id text, is_set boolean,
               value jsonb, version integer, updated_at timestamptz, updated_by_id text, updated_by text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    RETURN QUERY
    SELECT current_user::text, row_security_active('public.tenants'), t.risk_level, t.seal_id,
           v.is_set, v.value, v.version, v.updated_at, v.updated_by_id, v.updated_by
      FROM cloison_tenant_seal(p_tenant, false) t
      LEFT JOIN option_values v ON v.tenant_id = p_tenant AND v.option_key = p_key;
END $$;

-- The previous release's direct change (and, through it, cloison_apply_option): same answers.
CREATE OR REPLACE FUNCTION cloison_apply_option_unlinked(
    p_tenant uuid, p_key text, p_expected integer, p_is_set boolean, p_value jsonb,
    p_event_tenant uuid, p_at timestamptz, p_actor_id text, p_actor_name text, p_actor_role text,
    p_action text, p_option text, p_before jsonb, p_after jsonb, p_diff jsonb, p_reason text,
    p_request_id text, p_content_hash text)
RETURNS TABLE (outcome text, current_version integer, active_seal text,
               event_id bigint, event_tenant_seq bigint, event_tenant_hash text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    w record;
BEGIN
    PERFORM set_config('app.tenant_id', p_tenant::text, true);
    IF p_option IS DISTINCT FROM p_key OR p_event_tenant IS DISTINCT FROM p_tenant THEN
        RAISE EXCEPTION 'the audit event does not describe this change (option %, tenant %)', p_option, p_event_tenant;
    END IF;
    PERFORM set_config('app.values_notify_on_link', 'on', true);
    SELECT * INTO w FROM cloison_write_option(p_tenant, p_key, p_expected, p_is_set, p_value, p_at, p_actor_id, p_actor_name,
                                              NULL, NULL, NULL, NULL);
    PERFORM set_config('app.values_notify_on_link', '', true);
    IF w.outcome = 'moved' THEN
        RETURN QUERY SELECT 'conflict', coalesce(w.version, 0), NULL::text, NULL::bigint, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    IF w.outcome <> 'applied' THEN
        RETURN QUERY SELECT w.outcome, NULL::integer, w.seal_id, NULL::bigint, NULL::bigint, NULL::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'applied', w.version, NULL::text, a.event_id, a.event_tenant_seq, a.event_tenant_hash
      FROM cloison_audit_append_unlinked(p_tenant, p_at, p_actor_id, p_actor_name, p_actor_role, p_action, p_option,
                                         p_before, p_after, p_diff, p_reason, p_request_id, p_content_hash) a;
END $$;

-- Less work per audited change ---------------------------------------------------------------

-- The tenant's head moves by a plain UPDATE (one index probe, no speculative insertion and no
-- separate row lock); only a tenant's first event inserts it. Same answers as before.
CREATE OR REPLACE FUNCTION cloison_audit_append_unlinked(
    p_tenant uuid, p_at timestamptz, p_actor_id text, p_actor_name text, p_actor_role text,
    p_action text, p_option text, p_before jsonb, p_after jsonb, p_diff jsonb, p_reason text,
    p_request_id text, p_content_hash text)
RETURNS TABLE (event_id bigint, event_tenant_seq bigint, event_tenant_hash text)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_seq bigint;
    v_hash text;
BEGIN
    IF p_tenant IS NOT NULL THEN
        UPDATE audit_heads AS h SET seq = h.seq + 1, hash = encode(sha256(convert_to(h.hash || p_content_hash, 'UTF8')), 'hex')
         WHERE h.chain = p_tenant::text
        RETURNING h.seq, h.hash INTO v_seq, v_hash;
        IF NOT FOUND THEN
            INSERT INTO audit_heads AS h (chain, seq, hash)
            VALUES (p_tenant::text, 1, encode(sha256(convert_to(repeat('0', 64) || p_content_hash, 'UTF8')), 'hex'))
            ON CONFLICT (chain) DO UPDATE SET seq = h.seq + 1, hash = encode(sha256(convert_to(h.hash || p_content_hash, 'UTF8')), 'hex')
            RETURNING h.seq, h.hash INTO v_seq, v_hash;
        END IF;
    END IF;
    RETURN QUERY
    INSERT INTO audit_events AS e (tenant_id, tenant_seq, occurred_at, actor_id, actor_name, actor_role, action,
                                   option_key, before, after, diff, reason, request_id, content_hash, tenant_hash)
    VALUES (p_tenant, v_seq, p_at, p_actor_id, p_actor_name, p_actor_role, p_action, p_option,
            p_before, p_after, p_diff, p_reason, p_request_id, p_content_hash, v_hash)
    RETURNING e.id, e.tenant_seq, e.tenant_hash;
END $$;

-- The link's one permitted edit, checked by comparing the rows themselves (every column but the
-- two the link sets) rather than their JSON renderings: the same rule, without building two JSON
-- documents per linked event.
CREATE OR REPLACE FUNCTION cloison_audit_link_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    unlinked audit_events;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD."seq" IS NULL AND NEW."seq" IS NOT NULL THEN
        unlinked := NEW;
        unlinked."seq" := NULL;
        unlinked."hash" := OLD."hash";
        IF unlinked IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- A direct change (app.values_notify_on_link) no longer moves the polled change counter itself:
-- the link that announces it moves it, once per link run, as it sends the notifications. Every
-- other write moves it as before.
CREATE OR REPLACE FUNCTION cloison_evaluation_counted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN
        IF current_setting('app.values_notify_on_link', true) = 'on' THEN
            RETURN NULL;
        END IF;
        UPDATE "evaluation_change_slots" SET "seq" = "seq" + 1 WHERE "slot" = (txid_current() % 64)::smallint;
        RETURN NULL;
    END $$;

CREATE OR REPLACE FUNCTION cloison_audit_link_visible()
RETURNS TABLE (linked integer, head_seq bigint, head_hash text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_seq bigint;
    v_hash text;
    v_n integer := 0;
    v_values integer := 0;
    v_done integer;
    r record;
BEGIN
    SELECT h.seq, h.hash INTO v_seq, v_hash FROM audit_heads h WHERE h.chain = 'global' FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the global audit chain head is missing';
    END IF;
    FOR r IN SELECT e.id, e.content_hash, e.tenant_id, e.option_key FROM audit_events e WHERE e.seq IS NULL ORDER BY e.id LOOP
        v_seq := v_seq + 1;
        v_hash := encode(sha256(convert_to(v_hash || r.content_hash, 'UTF8')), 'hex');
        UPDATE audit_events SET seq = v_seq, hash = v_hash WHERE id = r.id AND seq IS NULL;
        GET DIAGNOSTICS v_done = ROW_COUNT;
        IF v_done <> 1 THEN
            RAISE EXCEPTION 'audit event % could not be linked', r.id;
        END IF;
        IF r.option_key IS NOT NULL AND r.tenant_id IS NOT NULL THEN
            PERFORM pg_notify('cloison_evaluation', 'values:' || r.tenant_id::text);
            v_values := v_values + 1;
        END IF;
        v_n := v_n + 1;
    END LOOP;
    IF v_n > 0 THEN
        UPDATE audit_heads SET seq = v_seq, hash = v_hash WHERE chain = 'global';
    END IF;
    IF v_values > 0 THEN
        UPDATE evaluation_change_slots SET seq = seq + 1 WHERE slot = (txid_current() % 64)::smallint;
    END IF;
    RETURN QUERY SELECT v_n, v_seq, v_hash;
END $$;

GRANT EXECUTE ON FUNCTION cloison_tenant_seal(uuid, boolean) TO cloison_app;
GRANT EXECUTE ON FUNCTION cloison_write_option(uuid, text, integer, boolean, jsonb, timestamptz, text, text, uuid, integer, boolean, jsonb) TO cloison_app;
GRANT EXECUTE ON FUNCTION cloison_change_option(uuid, text, integer, integer, boolean, boolean, jsonb, uuid, timestamptz, text, text, text, text, text, jsonb, jsonb, jsonb, text, text, text) TO cloison_app;
