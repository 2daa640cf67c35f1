import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '#api/app.factory';
import { OPERATOR_TOKEN, freshDatabase, startTestApp, tempDir, testConfig } from '../support/test-app.js';
import { capturedLog } from '../support/captured-log.js';

function catalogWithCriticalDefaultOn(): string {
  const dir = tempDir('catalog-');
  mkdirSync(join(dir, 'options'));
  writeFileSync(
    join(dir, 'options', 'admin_can_view_credentials.json'),
    JSON.stringify({
      key: 'admin_can_view_credentials',
      version: 1,
      risk: 'critical',
      title: { en: 'Admins see credentials', fr: 'Les admins voient les identifiants' },
      description: { en: 'Dangerous.', fr: 'Dangereux.' },
      schema: { type: 'boolean' },
      default: true,
      safe: false,
    }),
  );
  return dir;
}

describe('boot', () => {
  it('refuses to start with an invalid catalog, naming the file and the problem, before touching the database', async () => {
    const catalogDir = catalogWithCriticalDefaultOn();
    await expect(createApp(testConfig({ catalogDir, databaseUrl: 'postgresql://nobody@127.0.0.1:1/none' }))).rejects.toThrow(
      /admin_can_view_credentials\.json: critical option's default true is not its safe value false/,
    );
  });

  it('creates the bootstrap operator once: a restart with another token creates nobody', async () => {
    const db = await freshDatabase();
    const dataDir = db.url ? undefined : tempDir('cloison-data-');
    try {
      const first = await startTestApp({ databaseUrl: db.url, dataDir });
      await first.as(OPERATOR_TOKEN).get('/v1/tenants').expect(200);
      await first.close();

      const secondToken = 'cln_another-bootstrap-token-value';
      const second = await startTestApp({ databaseUrl: db.url, dataDir, bootstrapToken: secondToken });
      try {
        await second.as(secondToken).get('/v1/tenants').expect(401);
        await second.as(OPERATOR_TOKEN).get('/v1/tenants').expect(200);
        const principals = await second.superuser((c) => c.query('SELECT role FROM principals'));
        // The two initial operators, each its own person; nobody else.
        expect(principals.rows).toEqual([{ role: 'operator' }, { role: 'operator' }]);
        const events = await second.superuser((c) => c.query("SELECT actor_id FROM audit_events WHERE action = 'principal.created'"));
        expect(events.rows).toEqual([{ actor_id: 'system' }, { actor_id: 'system' }]);
      } finally {
        await second.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('says at start that CLOISON_BOOTSTRAP_TOKEN was not applied on a database that has principals, and how to recover', async () => {
    const db = await freshDatabase();
    const dataDir = db.url ? undefined : tempDir('cloison-data-');
    const { logStream, lines } = capturedLog();
    const notApplied = () => lines.filter((l) => l.includes('not applied: the database already has principals'));
    try {
      const first = await startTestApp({ databaseUrl: db.url, dataDir, logLevel: 'warn' }, { logStream });
      expect(notApplied()).toEqual([]);
      const second = await first.reboot({ bootstrapToken: 'cln_another-bootstrap-token-value', bootstrapToken2: undefined });
      await second.close();
      expect(notApplied()).toHaveLength(1);
      expect(notApplied()[0]).toContain('CLOISON_BOOTSTRAP_TOKEN was not applied');
      expect(JSON.parse(notApplied()[0] as string)).toMatchObject({ level: 40, msg: expect.stringContaining('cloison operator recover') });
      // Without the variable there is nothing to say.
      const third = await second.reboot({ bootstrapToken: undefined, bootstrapToken2: undefined });
      await third.close();
      expect(notApplied()).toHaveLength(1);
    } finally {
      await db.drop();
    }
  });

  it('generates and prints a token when none is configured', async () => {
    const writes: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    let t;
    try {
      t = await startTestApp({ bootstrapToken: undefined });
    } finally {
      process.stdout.write = original;
    }
    try {
      const token = /\b(cln_[A-Za-z0-9_-]{43})\b/.exec(writes.join(''))?.[1];
      expect(token).toBeDefined();
      await t.as(token!).get('/v1/tenants').expect(200);
    } finally {
      await t.stop();
    }
  });
});
