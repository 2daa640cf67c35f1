import { AuditLinker } from '#audit';
import { createTenant, startTestApp, tempDir, type TestApp } from '../support/test-app.js';

/**
 * A change waits for a link run that looks after its commit. The run in progress qualifies when it
 * started after the caller saw its commit (its mark): the changes answered by one statement share
 * the run the first of them starts, instead of waiting for a second one. A run that started before
 * the mark does not qualify, and the caller waits for the next, which links its event.
 */
describe('sharing audit link runs', () => {
  let t: TestApp;
  let tenantId: string;
  let n = 0;

  beforeAll(async () => {
    // No checkpoint during the test: the checkpointer's own link calls would queue runs between its steps.
    t = await startTestApp({
      dataDir: process.env.DATABASE_URL ? undefined : tempDir('cloison-link-share-'),
      auditCheckpointSeconds: 86_400,
      auditCheckpointEvery: 1_000_000,
    });
    tenantId = (await createTenant(t, 'alpha')).id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** An option change committed and left for the linker, as a direct change leaves it; its event id. */
  const committedUnlinked = () =>
    t.superuser(async (c) => {
      n += 1;
      const { rows } = await c.query<{ event_id: string }>(
        `SELECT event_id FROM cloison_audit_append_unlinked($1::uuid, now(), 'share', 'link sharing', 'operator', 'option.set',
           'max_proxies', $2::jsonb, $3::jsonb, '[]'::jsonb, 'link sharing', 'share', repeat('b', 64))`,
        [tenantId, String(n), String(n + 1)],
      );
      return rows[0]?.event_id as string;
    });
  const linked = (id: string) =>
    t.superuser(
      async (c) => (await c.query<{ seq: string | null }>('SELECT seq FROM audit_events WHERE id = $1', [id])).rows[0]?.seq !== null,
    );

  it('shares the run started after the mark, never one started before it', async () => {
    const linker = t.app.get(AuditLinker);
    await linker.link();
    // Nothing in progress now. A run starts; a caller whose mark was taken before it shares it…
    const before = linker.mark();
    const run = linker.link();
    expect(linker.link(before)).toBe(run);
    // …one whose mark was taken after it started waits for the next run.
    const after = linker.mark();
    const next = linker.link(after);
    expect(next).not.toBe(run);
    await Promise.all([run, next]);
  });

  it("links the caller's event by the run it is given", async () => {
    const linker = t.app.get(AuditLinker);
    const first = await committedUnlinked();
    const seenFirst = linker.mark();
    const run = linker.link(seenFirst);
    // Committed after that run started (it has usually finished by then): its mark comes after the run.
    const second = await committedUnlinked();
    const seenSecond = linker.mark();
    const next = linker.link(seenSecond);
    await run;
    expect(await linked(first)).toBe(true);
    await next;
    expect(await linked(second)).toBe(true);
  });
});
