import { createApp, type CloisonApp } from '#api/app.factory';
import { OPERATOR_TOKEN, freshDatabase, tempDir, testConfig, type TestDatabase } from '../support/test-app.js';

// The embedded database runs one transaction at a time: a lighter load keeps it within its limits.
const N = process.env.DATABASE_URL ? 40 : 8;
const KEYS = ['retention_days', 'results_publication_delay_minutes'];
const TENANTS = ['s1', 's2', 's3', 's4'];

interface Outcome {
  status?: number;
  error?: string;
  at: number;
}

describe('graceful shutdown under load', () => {
  let db: TestDatabase;
  let first: CloisonApp;
  const config = () => testConfig({ databaseUrl: db.url, dataDir: db.url ? undefined : dataDir });
  let dataDir: string;
  beforeAll(async () => {
    db = await freshDatabase();
    dataDir = tempDir();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('finishes every request accepted before shutdown (no 5xx), then closes the database; nothing half-written', async () => {
    first = await createApp(config());
    let received = 0;
    // The app is ready (no hook can be added): requests are counted as the server receives them.
    first.app.getHttpServer().on('request', () => {
      received++;
    });
    await first.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(first.app.getHttpServer().address() as { port: number }).port}`;
    const headers = { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' };
    for (const slug of TENANTS) {
      const res = await fetch(`${base}/v1/tenants`, { method: 'POST', headers, body: JSON.stringify({ slug, name: slug, riskLevel: 1 }) });
      expect(res.status).toBe(201);
    }
    received = 0;

    const outcomes: Outcome[] = [];
    const load = Array.from({ length: N }, (_, i) => {
      const url = `${base}/v1/tenants/${TENANTS[i % TENANTS.length]}/options/${KEYS[Math.floor(i / TENANTS.length) % KEYS.length]}`;
      return fetch(url, { method: 'PUT', headers, body: JSON.stringify({ value: 100 + i, reason: `load ${i}` }) }).then(
        async (r) => void outcomes.push({ status: r.status, at: Date.now(), ...(r.status >= 500 ? { error: await r.text() } : {}) }),
        (e: Error) => void outcomes.push({ error: String(e.cause ?? e.message), at: Date.now() }),
      );
    });
    // Every request has reached the server: they were all accepted before shutdown begins.
    while (received < N) await new Promise((r) => setTimeout(r, 1));
    const shutdownAt = Date.now();
    await first.close();
    await Promise.all(load);

    expect(outcomes).toHaveLength(N);
    expect(outcomes.filter((o) => o.error !== undefined || (o.status ?? 0) >= 500)).toEqual([]);
    // 200, or 412 for the loser of a race on the same option; never a lost answer.
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 412)).toEqual([]);
    const ok = outcomes.filter((o) => o.status === 200).length;
    expect(ok).toBeGreaterThan(N / 4);
    // The test is only meaningful if shutdown really overlapped work in flight.
    expect(outcomes.filter((o) => o.at >= shutdownAt).length).toBeGreaterThan(0);
    // Closed: new connections are refused, not answered with errors.
    await expect(fetch(`${base}/health`)).rejects.toThrow();

    // Reopen the same database: every committed change has its audit event and vice versa.
    const again = await createApp(config());
    try {
      const c = await again.database.pool.connect();
      await c.query('BEGIN');
      await c.query('SET LOCAL ROLE NONE'); // read every tenant's rows as the session (privileged) user
      const counts = await c.query<{ events: number; versions: number }>(`
        SELECT (SELECT count(*)::int FROM audit_events WHERE action = 'option.set') AS events,
               (SELECT coalesce(sum(version), 0)::int FROM option_values) AS versions`);
      await c.query('COMMIT');
      c.release();
      // Every value written was new (100 + i differs per request): each 200 is one committed version
      // and one audit event; nothing else was written.
      expect(counts.rows[0]).toEqual({ events: ok, versions: ok });
    } finally {
      await again.close();
    }
  }, 180_000); // opens the embedded data folder twice (slow on a busy machine)
});
