import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { checkpointNow, exportText, publicKeyOf, setOption, verifyOffline, verifyOnline } from '../support/audit-helpers.js';

describe('audit hash chains', () => {
  let t: TestApp;
  let alpha: { id: string };
  let beta: { id: string };
  beforeAll(async () => {
    t = await startTestApp();
    alpha = await createTenant(t, 'alpha');
    beta = await createTenant(t, 'beta');
    await setOption(t, 'alpha', 'retention_days', 400);
    await setOption(t, 'beta', 'ui_language', 'en');
    await setOption(t, 'alpha', 'admin_ip_allowlist', ['10.0.0.1', '10.0.0.2']);
    await setOption(t, 'alpha', 'admin_ip_allowlist', ['10.0.0.1', '10.0.0.3']);
    await createPrincipal(t, 'compliance');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('links every event into the global chain and its tenant chain, densely', async () => {
    const rows = await t.superuser(
      async (c) =>
        (await c.query('SELECT seq, tenant_id, tenant_seq, content_hash, hash, tenant_hash FROM audit_events ORDER BY seq')).rows,
    );
    // Events 1-3 are the signing key's publication and the two bootstrap operators' creation, the
    // last the compliance principal's: no tenant.
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(rows.filter((r) => r.tenant_id === alpha.id).map((r) => Number(r.tenant_seq))).toEqual([1, 2, 3, 4]);
    expect(rows.filter((r) => r.tenant_id === beta.id).map((r) => Number(r.tenant_seq))).toEqual([1, 2]);
    for (const i of [0, 1, 2, 9]) expect(rows[i]).toMatchObject({ tenant_id: null, tenant_seq: null, tenant_hash: null });
    expect(new Set(rows.map((r) => r.hash)).size).toBe(10);
  });

  it('verifies online and offline, globally and per tenant', async () => {
    const key = await publicKeyOf(t);
    expect(await verifyOnline(t)).toEqual({ ok: true, checked: 10, firstBrokenSeq: null, reason: null, valuesChecked: 2 });
    expect(await verifyOnline(t, 'alpha')).toEqual({ ok: true, checked: 4, firstBrokenSeq: null, reason: null, valuesChecked: 1 });
    expect(await verifyOffline(await exportText(t), key)).toMatchObject({ ok: true, checked: 10 });
    expect(await verifyOffline(await exportText(t, 'beta'), key)).toMatchObject({ ok: true, checked: 2 });
  });

  it('a tenant export holds only that tenant and verifies alone', async () => {
    const text = await exportText(t, 'alpha');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'header', scope: 'tenant', chain: alpha.id, tenant: { id: alpha.id, slug: 'alpha' } });
    const events = lines.filter((l) => l.type === 'event');
    expect(events.map((e) => e.tenantSeq)).toEqual([1, 2, 3, 4]);
    expect(events.every((e) => e.tenantId === alpha.id && e.seq === undefined && e.hash === undefined)).toBe(true);
    expect(lines.filter((l) => l.type === 'checkpoint').every((c) => c.chain === alpha.id)).toBe(true);
    expect(text).not.toContain(beta.id);
    expect(text).not.toContain('"en"');
    expect(lines[lines.length - 1]).toEqual({ type: 'end', events: 4, checkpoints: expect.any(Number) });
  });

  it('a tenant client_admin verifies and exports its own tenant only', async () => {
    const admin = await createPrincipal(t, 'client_admin', 'beta');
    expect(await verifyOnline(t, 'beta', admin)).toMatchObject({ ok: true });
    expect(await verifyOffline(await exportText(t, 'beta', admin), await publicKeyOf(t))).toMatchObject({ ok: true });
    await t.as(admin).get('/v1/tenants/alpha/audit/verify').expect(404);
    await t.as(admin).get('/v1/tenants/alpha/audit/export').expect(404);
    await t.as(admin).get('/v1/audit/verify').expect(403);
    await t.as(admin).get('/v1/audit/export').expect(403);
    await t.as(admin).post('/v1/audit/checkpoints').expect(403);
    await t.http.get('/v1/audit/verify').expect(401);
  });

  it('exports CSV with one row per event and checkpoint', async () => {
    const res = await t.as(OPERATOR_TOKEN).get('/v1/tenants/beta/audit/export?format=csv').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows = res.text.trim().split('\r\n');
    expect(rows[0]).toMatch(/^type,seq,tenant_seq,tenant_id,at,/);
    // tenant.created, option.set and beta's client_admin joining (principal.requested, invitation.created,
    // principal.request_approved, principal.created, invitation.redeemed)
    expect(rows.filter((r) => r.startsWith('event,'))).toHaveLength(7);
    expect(res.text).not.toContain(alpha.id);
    await t.as(OPERATOR_TOKEN).get('/v1/audit/export?format=xml').expect(400);
  });

  it('neutralises CSV cells a spreadsheet would read as a formula, also behind a tab, CR or LF', async () => {
    await createTenant(t, 'gamma');
    const reasons = [
      '\r=HYPERLINK("https://evil.example.org","x")',
      '\n=1+1 injected',
      '\t=1+1 injected',
      '=1+1 injected',
      '+1 injected',
      '-1 injected',
      '@SUM(1) injected',
    ];
    let days = 400;
    for (const reason of reasons) {
      await t.as(OPERATOR_TOKEN).put('/v1/tenants/gamma/options/retention_days').send({ value: ++days, reason }).expect(200);
    }
    const csv = (await t.as(OPERATOR_TOKEN).get('/v1/tenants/gamma/audit/export?format=csv').expect(200)).text;
    for (const reason of reasons) expect(csv).toContain(`,"'${reason.replace(/"/g, '""')}",`);
    // No cell opens with a formula character, quoted or not (rows start with their type).
    expect(csv).not.toMatch(/,"?[=+\-@\t]|,"[\r\n]/);
  });

  it('stores and shows a field-level JSON Patch for option changes', async () => {
    const res = await t.as(OPERATOR_TOKEN).get('/v1/tenants/alpha/audit?option=admin_ip_allowlist').expect(200);
    const [latest, first] = res.body.items;
    expect(latest.diff).toEqual([{ op: 'replace', path: '/1', value: '10.0.0.3' }]);
    expect(first.diff).toEqual([
      { op: 'add', path: '/0', value: '10.0.0.1' },
      { op: 'add', path: '/1', value: '10.0.0.2' },
    ]);
    const scalar = await t.as(OPERATOR_TOKEN).get('/v1/tenants/alpha/audit?option=retention_days').expect(200);
    expect(scalar.body.items[0].diff).toEqual([{ op: 'replace', path: '', value: 400 }]);
  });

  it('audit tables refuse UPDATE, DELETE and TRUNCATE: by privileges for the app role, by trigger for everyone', async () => {
    await setOption(t, 'beta', 'ui_language', 'de');
    await checkpointNow(t);
    const before = await t.snapshot();
    for (const table of ['audit_events', 'audit_checkpoints']) {
      for (const sql of [`UPDATE ${table} SET seq = seq`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
        const app = await t.database.pool.connect();
        try {
          await expect(app.query(sql)).rejects.toThrow(/permission denied/);
        } finally {
          app.release();
        }
        await expect(t.superuser((c) => c.query(sql))).rejects.toThrow(/audit log is append-only/);
      }
    }
    expect(await t.snapshot()).toEqual(before);
  });

  it('signs checkpoints on demand with the published key, for operator and compliance', async () => {
    await setOption(t, 'alpha', 'retention_days', 500);
    const compliance = await createPrincipal(t, 'compliance', undefined, 'auditor');
    const res = await t.as(compliance).post('/v1/audit/checkpoints').expect(201);
    const chains = res.body.checkpoints.map((c: { chain: string }) => c.chain).sort();
    expect(chains).toEqual(['global', alpha.id].sort());
    const key = await t.http.get('/v1/audit/public-key').expect(200);
    expect(key.body).toMatchObject({ algorithm: 'Ed25519', fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(res.body.checkpoints.every((c: { key: string }) => c.key === key.body.fingerprint)).toBe(true);
  });
});

describe('audit log under concurrent writers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('50 writers across 5 tenants: both chains verify, sequence numbers dense', async () => {
    const slugs = ['t1', 't2', 't3', 't4', 't5'];
    for (const s of slugs) await createTenant(t, s);
    // Embedded PGlite runs one transaction at a time for all pool connections, so concurrency
    // there is nominal; and its socket server loses prepared statements ("portal does not exist")
    // when several connections query at once on a busy machine, whatever the route. The concurrent
    // case is therefore proven on PostgreSQL; on PGlite the same 50 writes go one after another.
    const inFlight = process.env.DATABASE_URL ? 50 : 1;
    const writers = Array.from({ length: 50 }, (_, i) => () => setOption(t, slugs[i % 5] as string, 'retention_days', 100 + i));
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let next = writers.shift(); next; next = writers.shift()) await next();
      }),
    );
    const rows = await t.superuser(async (c) => (await c.query('SELECT seq, tenant_id, tenant_seq FROM audit_events ORDER BY seq')).rows);
    // key publication + two bootstrap operators + 5 tenants + 50 changes
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 58 }, (_, i) => i + 1));
    const byTenant = new Map<string, number[]>();
    for (const r of rows.slice(3)) byTenant.set(r.tenant_id, [...(byTenant.get(r.tenant_id) ?? []), Number(r.tenant_seq)]);
    for (const seqs of byTenant.values()) expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const key = await publicKeyOf(t);
    expect(await verifyOnline(t)).toMatchObject({ ok: true, checked: 58 });
    for (const s of slugs) {
      expect(await verifyOnline(t, s)).toMatchObject({ ok: true, checked: 11 });
      expect(await verifyOffline(await exportText(t, s), key)).toMatchObject({ ok: true, checked: 11 });
    }
    await checkpointNow(t);
    expect(await verifyOffline(await exportText(t), key)).toMatchObject({ ok: true, checked: 58 });
  });
});
