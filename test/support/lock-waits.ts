import type pg from 'pg';

/**
 * Waits until at least `n` sessions of `db`'s database (other than `db`'s own) wait for a lock, or
 * until `stop()` holds; fails after about 10 s. `db` may hold a transaction open: the activity view
 * is read afresh each time (within a transaction it is otherwise read once).
 */
export async function lockWaiters(db: pg.Client, n: number, stop = () => false): Promise<void> {
  for (let i = 0; !stop(); i++) {
    if (i >= 200) throw new Error(`${n} session(s) waiting for a lock not seen within 10 s`);
    await db.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    );
    if ((rows[0]?.n ?? 0) >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
