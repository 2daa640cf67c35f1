-- A link run searches the unlinked events through the index that holds only them, never through
-- a bitmap of the global position's index. Each link leaves the event's earlier, unlinked version
-- behind until VACUUM passes, and both indexes keep an entry for it; the planner, whose counts lag,
-- chose a bitmap scan of every "position is empty" entry, which visits each leftover version on
-- every run: about 2 ms per run with 11,000 of them, against 0.17 ms through the unlinked-events
-- index, whose plain index scan marks a leftover entry dead the first time it meets it, so that
-- later runs skip it. Nor a sequential scan, which a plan made while the table was small (a new
-- installation, before statistics catch up) would keep doing on every run as the table grows. See
-- docs/scaling.md ("The global audit head").
ALTER FUNCTION cloison_audit_link_visible() SET enable_bitmapscan = off SET enable_seqscan = off;
