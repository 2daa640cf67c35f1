import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATOR_TOKEN, createPrincipal, createTenant, freshDatabase, startTestApp, tempDir, type TestApp } from '../support/test-app.js';
import { runCliCollect } from '../support/cli-runner.js';

const cli = runCliCollect;

describe('cloison CLI', () => {
  let t: TestApp;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.getHttpServer().address() as { port: number };
    env = { CLOISON_URL: `http://127.0.0.1:${address.port}`, CLOISON_TOKEN: OPERATOR_TOKEN };
    await createTenant(t, 'alpha');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('documents its commands and exit codes, and answers 2 to bad usage', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const c of [
      'principals create',
      'principals revoke',
      'tenants list',
      'catalog lint',
      'audit export',
      'audit verify',
      'seal verify',
      'migrate',
    ]) {
      expect(help.out).toContain(c);
    }
    expect(help.out).toMatch(/Exit codes:[\s\S]*\b3\b.*refused/);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['tenants', 'list', '--bogus'], env)).code).toBe(2);
    expect((await cli(['tenants', 'list'], {})).code).toBe(2);
    expect((await cli(['catalog', 'lint'])).code).toBe(2);
  });

  it('catalog lint: 0 on the shipped catalog, 1 with every problem of a broken copy', async () => {
    const ok = await cli(['catalog', 'lint', 'catalog']);
    expect(ok).toMatchObject({ code: 0, out: '' });
    const dir = tempDir();
    cpSync('catalog', dir, { recursive: true });
    const file = join(dir, 'options', 'ballot_secrecy.json');
    const def = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...def, default: def.safe === true ? false : 'not-safe' }));
    writeFileSync(join(dir, 'options', 'broken.json'), '{');
    const bad = await cli(['catalog', 'lint', dir]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('ballot_secrecy.json');
    expect(bad.out).toContain('broken.json: not valid JSON');
  });

  it('tenants list prints what the token may see; a bad token exits 3, an unreachable API 5', async () => {
    const run = await cli(['tenants', 'list'], env);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^alpha\t2\t[0-9a-f-]{36}\tTenant alpha\n$/);
    expect((await cli(['tenants', 'list', '--json'], env)).out).toContain('"slug": "alpha"');
    expect((await cli(['tenants', 'list'], { ...env, CLOISON_TOKEN: 'cln_not-a-real-token-at-all' })).code).toBe(3);
    expect((await cli(['tenants', 'list', '--url', 'http://127.0.0.1:1'], env)).code).toBe(5);
  });

  it('principals create prints a working token; revoke stops it at once and is audited once', async () => {
    const created = await cli(
      ['principals', 'create', '--name', 'Alpha voting service', '--role', 'service', '--tenant', 'alpha', '--json'],
      env,
    );
    expect(created.code).toBe(0);
    const p = JSON.parse(created.out) as { id: string; token: string };
    await t.as(p.token).get('/v1/tenants/alpha/options').expect(200);

    // A service may not revoke anyone: 3. An unknown principal: 4. Oneself: 4.
    expect((await cli(['principals', 'revoke', p.id], { ...env, CLOISON_TOKEN: p.token })).code).toBe(3);
    expect((await cli(['principals', 'revoke', '00000000-0000-4000-8000-000000000000'], env)).code).toBe(4);
    const self = await t.as(OPERATOR_TOKEN).get('/v1/audit?action=principal.created&limit=500');
    const bootstrapId = self.body.items.find((e: { after: { name: string } }) => e.after.name === 'bootstrap operator').after.id;
    expect((await cli(['principals', 'revoke', bootstrapId], env)).code).toBe(4);
    expect((await cli(['principals', 'create', '--name', 'x', '--role', 'service'], env)).code).toBe(4);

    const revoked = await cli(['principals', 'revoke', p.id], env);
    expect(revoked.code).toBe(0);
    await t.as(p.token).get('/v1/tenants/alpha/options').expect(401);
    expect((await cli(['principals', 'revoke', p.id], env)).code).toBe(0);
    const audit = await t.as(OPERATOR_TOKEN).get('/v1/audit?action=principal.revoked').expect(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ tenant: 'alpha', actor: { role: 'operator' }, after: { id: p.id } });
    expect(audit.body.items[0].requestId).toEqual(expect.any(String));
  });

  it('audit export streams the verifiable export, with progress on stderr; never overwrites a file', async () => {
    await createPrincipal(t, 'service', 'alpha');
    const file = join(tempDir(), 'audit.jsonl');
    const run = await cli(['audit', 'export', '--out', file], env);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/audit export: \d+ line\(s\) written/);
    expect(readFileSync(file, 'utf8').trim().split('\n').length).toBeGreaterThan(3);
    expect((await cli(['audit', 'export', '--out', file], env)).code).not.toBe(0);
    const tenantOnly = await cli(['audit', 'export', '--tenant', 'alpha'], env);
    expect(tenantOnly.code).toBe(0);
    expect(tenantOnly.out).toContain('tenant.created');
    expect((await cli(['audit', 'export', '--tenant', 'nowhere'], env)).code).toBe(4);
  });

  it('audit verify (offline): 0 on an untouched export, 1 on a tampered one', async () => {
    const dir = tempDir();
    const file = join(dir, 'audit.jsonl');
    const key = join(dir, 'key.json');
    writeFileSync(key, JSON.stringify((await t.http.get('/v1/audit/public-key').expect(200)).body));
    expect((await cli(['audit', 'export', '--out', file], env)).code).toBe(0);
    expect((await cli(['audit', 'verify', file, '--public-key', key])).code).toBe(0);
    writeFileSync(file, readFileSync(file, 'utf8').replace('tenant.created', 'tenant.createD'));
    expect((await cli(['audit', 'verify', file, '--public-key', key])).code).toBe(1);
  });

  it('migrate applies pending migrations and exits; --check exits 1 while any is pending', async () => {
    const db = await freshDatabase();
    const dbEnv = db.url ? { DATABASE_URL: db.url } : { CLOISON_DATA_DIR: tempDir() };
    try {
      const before = await cli(['migrate', '--check'], dbEnv);
      expect(before.code).toBe(1);
      expect(before.out).toMatch(/^pending \d+_init$/m);
      const applied = await cli(['migrate'], dbEnv);
      expect(applied.code).toBe(0);
      expect(applied.out).toMatch(/^applied \d+_init$/m);
      expect(await cli(['migrate', '--check'], dbEnv)).toMatchObject({ code: 0, out: '' });
      if (db.url) expect((await cli(['migrate'], dbEnv)).out).toBe('');
    } finally {
      await db.drop();
    }
  }, 180_000); // each embedded run opens the data folder anew (seconds each on a busy machine)

  it('operator recover: with the service stopped, creates an operator whose token works, audited in the global chain', async () => {
    const db = await freshDatabase();
    const dataDir = db.url ? undefined : tempDir('cloison-recover-');
    const dbEnv = db.url ? { DATABASE_URL: db.url } : { CLOISON_DATA_DIR: dataDir };
    try {
      expect((await cli(['operator', 'recover'], dbEnv)).code).toBe(2);
      let app = await startTestApp({ databaseUrl: db.url, dataDir });
      await createTenant(app, 'beta');
      await app.close();

      const run = await cli(['operator', 'recover', '--name', 'Recovered operator', '--reason', 'operator tokens lost in a fire'], dbEnv);
      expect(run).toMatchObject({ code: 0, out: expect.stringMatching(/^cln_[A-Za-z0-9_-]{43}\n$/) });
      expect(run.err).toContain('operator.recovered');
      const token = run.out.trim();

      app = await app.reboot();
      try {
        await app
          .as(token)
          .get('/v1/me')
          .expect(200)
          .expect((r) => expect(r.body).toMatchObject({ name: 'Recovered operator', role: 'operator' }));
        const log = await app.as(token).get('/v1/audit?action=operator.recovered').expect(200);
        expect(log.body.items).toEqual([
          expect.objectContaining({
            action: 'operator.recovered',
            reason: 'operator tokens lost in a fire',
            actor: expect.objectContaining({ role: 'system', name: expect.stringContaining('cloison operator recover') }),
          }),
        ]);
        // The service's next event and checkpoint cover the recovery: the chain verifies.
        await app.as(token).post('/v1/tenants').send({ slug: 'gamma', name: 'Gamma', riskLevel: 1 }).expect(201);
        await app.as(token).post('/v1/audit/checkpoints').expect(201);
        expect((await app.as(token).get('/v1/audit/verify').expect(200)).body).toMatchObject({ ok: true });
      } finally {
        await app.close();
      }
    } finally {
      await db.drop();
    }
  }, 180_000);

  it('operator recover refuses a data folder that holds no database', async () => {
    const run = await cli(['operator', 'recover', '--name', 'x'], { CLOISON_DATA_DIR: join(tempDir(), 'missing') });
    expect(run.code).toBe(1);
    expect(run.err).toContain('no embedded database');
  });
});
