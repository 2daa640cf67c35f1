import type pg from 'pg';
import { generateKeyPairSync } from 'node:crypto';
import { contentHash, linkHash, type AuditContent } from '#audit-format';
import { signCheckpoint } from '#audit-format';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditVerifyCommand } from '#cli/commands/audit-verify.command';
import { createTenant, startTestApp, tempDir, type TestApp } from '../support/test-app.js';
import { checkpointNow, exportText, publicKeyOf, setOption, verifyOffline, verifyOnline } from '../support/audit-helpers.js';

/**
 * Someone with full database access edits the log behind the service's back. Each edit must be
 * found by /verify and by the offline verifier at the exact sequence number; undoing the edit
 * makes both pass again (so the checks are not vacuous).
 */
describe('tampering with the audit log in the database', () => {
  let t: TestApp;
  let key: string;
  let alpha: { id: string };

  const TRIGGERS = ['audit_events_no_update', 'audit_events_no_truncate', 'audit_checkpoints_no_update'];
  /** Runs `fn` as superuser with the append-only triggers switched off for the transaction. */
  const tamper = (fn: (c: pg.PoolClient) => Promise<unknown>) =>
    t.superuser(async (c) => {
      for (const tr of TRIGGERS)
        await c.query(`ALTER TABLE ${tr.startsWith('audit_events') ? 'audit_events' : 'audit_checkpoints'} DISABLE TRIGGER ${tr}`);
      await fn(c);
      for (const tr of TRIGGERS)
        await c.query(`ALTER TABLE ${tr.startsWith('audit_events') ? 'audit_events' : 'audit_checkpoints'} ENABLE TRIGGER ${tr}`);
    });
  const rowJson = async (seq: number) =>
    t.superuser(async (c) => (await c.query('SELECT row_to_json(e) AS r FROM audit_events e WHERE seq = $1', [seq])).rows[0].r);
  const reinsert = async (c: pg.PoolClient, rows: unknown[]) => {
    for (const r of rows) await c.query('INSERT INTO audit_events SELECT * FROM json_populate_record(null::audit_events, $1)', [r]);
  };

  async function expectBrokenAt(seq: number, reason: RegExp, tenant?: string) {
    const online = await verifyOnline(t, tenant);
    expect(online).toMatchObject({ ok: false, firstBrokenSeq: seq });
    expect(online.reason).toMatch(reason);
    const offline = await verifyOffline(await exportText(t, tenant), key);
    expect(offline).toMatchObject({ ok: false, firstBrokenSeq: seq });
    expect(offline.reason).toMatch(reason);
  }
  async function expectIntact() {
    expect(await verifyOnline(t)).toMatchObject({ ok: true, checked: 11 });
    expect(await verifyOffline(await exportText(t), key)).toMatchObject({ ok: true, checked: 11 });
  }

  beforeAll(async () => {
    // seq 1: the signing key's publication, seq 2 and 3: the two bootstrap operators' creation.
    t = await startTestApp();
    key = await publicKeyOf(t);
    alpha = await createTenant(t, 'alpha'); // seq 4
    await createTenant(t, 'beta'); // seq 5
    for (let i = 0; i < 6; i++) await setOption(t, i % 2 ? 'beta' : 'alpha', 'retention_days', 100 + i); // seq 6..11
    await checkpointNow(t);
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** Runs the command-line verifier on a file, as a compliance reviewer would. */
  async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const code = await auditVerifyCommand(argv, { out: (x) => (out += x), err: (x) => (out += x) });
    return { code, out };
  }

  it('starts intact', expectIntact);

  it('the command-line verifier names the broken line and sequence number', async () => {
    const dir = tempDir();
    const file = join(dir, 'audit.jsonl');
    const keyFile = join(dir, 'key.json');
    writeFileSync(keyFile, JSON.stringify((await t.http.get('/v1/audit/public-key')).body));
    writeFileSync(file, await exportText(t));
    expect(await cli(file, '--public-key', keyFile)).toEqual({ code: 0, out: expect.stringMatching(/^OK: 11 events verified/) });
    expect((await cli(file, '--public-key', key)).code).toBe(0);

    const original = await rowJson(9);
    await tamper((c) => c.query(`UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 9`));
    writeFileSync(file, await exportText(t));
    await tamper((c) => c.query(`UPDATE audit_events SET reason = $1 WHERE seq = 9`, [original.reason]));
    const lineOf9 = (await exportText(t)).split('\n').findIndex((l) => l.includes('"seq":9,')) + 1;
    const broken = await cli(file, '--public-key', keyFile);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`BROKEN at line ${lineOf9}, sequence number 9: event 9 does not match its content hash`);

    expect((await cli(file)).code).toBe(2);
    expect((await cli(file, '--public-key', 'not a key')).code).toBe(2);
    expect((await cli(join(dir, 'missing.jsonl'), '--public-key', keyFile)).code).toBe(2);
    const otherKey = (await import('node:crypto'))
      .generateKeyPairSync('ed25519')
      .publicKey.export({ type: 'spki', format: 'der' })
      .toString('base64');
    writeFileSync(file, await exportText(t));
    expect(await cli(file, '--public-key', otherKey)).toMatchObject({
      code: 1,
      out: expect.stringContaining('not with the given public key'),
    });
  });

  it('a changed value is found at its sequence number, in both chains', async () => {
    const original = await rowJson(8);
    await tamper((c) => c.query(`UPDATE audit_events SET after = '3650' WHERE seq = 8`));
    await expectBrokenAt(8, /content hash/);
    // seq 8 is alpha's third event (tenant.created, then seq 6 and 8).
    await expectBrokenAt(3, /content hash/, 'alpha');
    await tamper((c) => c.query(`UPDATE audit_events SET after = $1::jsonb WHERE seq = 8`, [JSON.stringify(original.after)]));
    await expectIntact();
  });

  it('a deleted event is found at its sequence number', async () => {
    const original = await rowJson(7);
    await tamper((c) => c.query('DELETE FROM audit_events WHERE seq = 7'));
    await expectBrokenAt(7, /event 7 is missing/);
    await tamper((c) => reinsert(c, [original]));
    await expectIntact();
  });

  it('two swapped events are found at the first of them', async () => {
    const swap = (c: pg.PoolClient) =>
      c
        .query('UPDATE audit_events SET seq = -6 WHERE seq = 6')
        .then(() => c.query('UPDATE audit_events SET seq = 6 WHERE seq = 9'))
        .then(() => c.query('UPDATE audit_events SET seq = 9 WHERE seq = -6'));
    await tamper(swap);
    await expectBrokenAt(6, /does not chain from event 5/);
    await tamper(swap);
    await expectIntact();
  });

  it('a truncated tail is found at the first missing event', async () => {
    const tail = [await rowJson(10), await rowJson(11)];
    await tamper((c) => c.query('DELETE FROM audit_events WHERE seq >= 10'));
    await expectBrokenAt(10, /events 10\.\.11 are missing: the signed checkpoint at 11 covers them/);
    await tamper((c) => reinsert(c, tail));
    await expectIntact();
  });

  it('a forged event with correct hashes but no valid checkpoint is found at its sequence number', async () => {
    const prev = await rowJson(10); // alpha's last event
    const last = await rowJson(11);
    const content: AuditContent = {
      tenantId: alpha.id,
      at: new Date().toISOString(),
      actor: prev.actor_id ? { id: prev.actor_id, name: prev.actor_name, role: prev.actor_role } : prev,
      action: 'option.set',
      option: 'admin_can_view_credentials',
      before: false,
      after: true,
      diff: [{ op: 'replace', path: '', value: true }],
      reason: 'routine',
      requestId: null,
    };
    const h = contentHash(content);
    const forged = {
      id: Number(last.id) + 1,
      seq: 12,
      tenant_id: alpha.id,
      tenant_seq: 5,
      occurred_at: content.at,
      actor_id: content.actor.id,
      actor_name: content.actor.name,
      actor_role: content.actor.role,
      action: content.action,
      option_key: content.option,
      before: false,
      after: true,
      diff: content.diff,
      reason: content.reason,
      request_id: null,
      content_hash: h,
      hash: linkHash(last.hash, h),
      tenant_hash: linkHash(prev.tenant_hash, h),
    };
    await tamper(async (c) => {
      await reinsert(c, [forged]);
      await c.query(`UPDATE audit_heads SET seq = 12, hash = $1 WHERE chain = 'global'`, [forged.hash]);
    });
    await expectBrokenAt(12, /event 12 is not covered by any signed checkpoint/);
    await expectBrokenAt(5, /event 5 is not covered by any signed checkpoint/, 'alpha');

    // A checkpoint claiming the service's key but signed with another one does not help.
    const fingerprint = (await t.http.get('/v1/audit/public-key')).body.fingerprint as string;
    const other = generateKeyPairSync('ed25519').privateKey;
    const fake = signCheckpoint({ chain: 'global', seq: 12, head: forged.hash, at: new Date().toISOString(), key: fingerprint }, other);
    await t.superuser((c) =>
      c.query(
        `INSERT INTO audit_checkpoints (chain, seq, tenant_id, head, signed_at, key_fingerprint, signature)
               VALUES ('global', 12, NULL, $1, $2, $3, $4)`,
        [fake.head, fake.at, fake.key, fake.signature],
      ),
    );
    await expectBrokenAt(12, /checkpoint at 12 has an invalid signature/);

    await tamper(async (c) => {
      await c.query('DELETE FROM audit_events WHERE seq = 12');
      await c.query('DELETE FROM audit_checkpoints WHERE seq = 12');
      await c.query(`UPDATE audit_heads SET seq = 11, hash = $1 WHERE chain = 'global'`, [last.hash]);
    });
    await expectIntact();
  });

  it('a history rewritten with recomputed hashes contradicts the signed checkpoint', async () => {
    const rows = await t.superuser(async (c) =>
      (await c.query('SELECT row_to_json(e) AS r FROM audit_events e ORDER BY seq')).rows.map((x) => x.r),
    );
    // Event 1 has no tenant: only the global chain has to be recomputed, and it is, entirely.
    const edited = rows.map((r) => ({ ...r }));
    edited[0].actor_name = 'someone else';
    let prev = '0'.repeat(64);
    for (const r of edited) {
      const content: AuditContent = {
        tenantId: r.tenant_id,
        at: new Date(r.occurred_at).toISOString(),
        actor: { id: r.actor_id, name: r.actor_name, role: r.actor_role },
        action: r.action,
        option: r.option_key,
        before: r.before,
        after: r.after,
        diff: r.diff,
        reason: r.reason,
        requestId: r.request_id,
      };
      r.content_hash = contentHash(content);
      r.hash = linkHash(prev, r.content_hash);
      prev = r.hash;
    }
    const replace = (next: unknown[]) =>
      tamper(async (c) => {
        await c.query('DELETE FROM audit_events');
        await reinsert(c, next);
      });
    await replace(edited);
    await expectBrokenAt(1, /events 1\.\.11 do not match the signed checkpoint at 11/);
    await replace(rows);
    await expectIntact();
  });
});
