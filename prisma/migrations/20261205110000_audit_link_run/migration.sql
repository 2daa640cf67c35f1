-- Two changes to the link run (cloison_audit_link_visible), both in its definition below.
--
-- 1. Its search is pinned (enable_bitmapscan, enable_seqscan off).
-- A link run searches the unlinked events through the index that holds only them, never through
-- a bitmap of the global position's index. Each link leaves the event's earlier, unlinked version
-- behind until VACUUM passes, and both indexes keep an entry for it; the planner, whose counts lag,
-- chose a bitmap scan of every "position is empty" entry, which visits each leftover version on
-- every run: about 2 ms per run with 11,000 of them, against 0.17 ms through the unlinked-events
-- index, whose plain index scan marks a leftover entry dead the first time it meets it, so that
-- later runs skip it. Nor a sequential scan, which a plan made while the table was small (a new
-- installation, before statistics catch up) would keep doing on every run as the table grows. See
-- docs/scaling.md ("The global audit head").
--
-- 2. It moves a counter row of its own (64).
-- The link run moves a slot of the evaluation change counter of its own. It used to move the slot of
-- its transaction id (mod 64), like every other writer, but in the other order: a transaction that
-- writes option values, tenants or principals moves its slot (trigger) and then takes the global
-- audit head (its event's link), while a link run takes the global head and then moved its slot.
-- A run and a writer whose transaction ids share a slot each waited for the other until
-- PostgreSQL ended one of them: the writer's request failed, or every change waiting on the run
-- was answered 500 although committed. Slot 64 is moved only by link runs, and a link run holds
-- the global head before it: nobody waits on slot 64 without holding the global head first.

ALTER TABLE "evaluation_change_slots" DROP CONSTRAINT "evaluation_change_slots_slot_check";
ALTER TABLE "evaluation_change_slots" ADD CONSTRAINT "evaluation_change_slots_slot_check" CHECK ("slot" BETWEEN 0 AND 64);
INSERT INTO "evaluation_change_slots" ("slot", "seq") VALUES (64, 0);

CREATE OR REPLACE FUNCTION cloison_audit_link_visible()
RETURNS TABLE (linked integer, head_seq bigint, head_hash text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp SET enable_bitmapscan = off SET enable_seqscan = off AS $$
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
        UPDATE evaluation_change_slots SET seq = seq + 1 WHERE slot = 64;
    END IF;
    RETURN QUERY SELECT v_n, v_seq, v_hash;
END $$;
