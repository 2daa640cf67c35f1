import { generateKeyPairSync } from 'node:crypto';
import { createApp } from '#api/app.factory';
import { derivePublicKey, keyIdOf, parsePrivateKey, publicKeyFingerprint, signSealDocument } from '#audit-format';
import { checkpointNow, exportText, publicKeyOf, setOption, verifyOffline, verifyOnline } from '../support/audit-helpers.js';
import {
  OPERATOR_TOKEN,
  OPERATOR_TOKEN_2,
  TEST_SIGNING_KEY,
  inviteClientAdmin,
  createTenant,
  freshDatabase,
  startTestApp,
  tempDir,
  testConfig,
  type TestApp,
  type TestDatabase,
} from '../support/test-app.js';

const newKey = (): string => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const fingerprintOf = (pem: string): string => publicKeyFingerprint(derivePublicKey(parsePrivateKey(pem)));
const spkiOf = (pem: string): string => derivePublicKey(parsePrivateKey(pem)).export({ type: 'spki', format: 'der' }).toString('base64');

describe('one signing key per installation', () => {
  let t: TestApp;
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
    // Embedded: a data folder, so that the database outlives a restart.
    t = await startTestApp({ databaseUrl: db.url, dataDir: db.url ? undefined : tempDir('cloison-keys-') });
    await createTenant(t, 'alpha');
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('publishes its public key at first start, with an audit event, and serves it', async () => {
    const rows = await t.superuser((c) => c.query('SELECT seq, fingerprint, public_key, rotation FROM service_keys'));
    expect(rows.rows).toEqual([
      { seq: 1, fingerprint: fingerprintOf(TEST_SIGNING_KEY), public_key: spkiOf(TEST_SIGNING_KEY), rotation: null },
    ]);
    const key = await t.http.get('/v1/audit/public-key').expect(200);
    expect(key.body.fingerprint).toBe(fingerprintOf(TEST_SIGNING_KEY));
    const events = await t.superuser((c) => c.query("SELECT actor_id, after FROM audit_events WHERE action = 'audit.key_published'"));
    expect(events.rows).toEqual([
      { actor_id: 'system', after: { fingerprint: fingerprintOf(TEST_SIGNING_KEY), publicKey: spkiOf(TEST_SIGNING_KEY) } },
    ]);
    // Append-only, owners included.
    await expect(t.superuser((c) => c.query('DELETE FROM service_keys'))).rejects.toThrow(/append-only/);
  });

  it('an instance with another key refuses to start, naming both fingerprints and how to rotate', async () => {
    const other = newKey();
    const refused = await t.reboot({ auditSigningKey: other }).catch((e: unknown) => e as Error);
    expect(refused).toBeInstanceOf(Error);
    const message = (refused as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(fingerprintOf(other));
    expect(message).toContain(fingerprintOf(TEST_SIGNING_KEY));
    expect(message).toContain('CLOISON_AUDIT_PREVIOUS_SIGNING_KEY');
    t = await t.reboot({ auditSigningKey: TEST_SIGNING_KEY });
    const rows = await t.superuser((c) => c.query('SELECT fingerprint FROM service_keys'));
    expect(rows.rows).toHaveLength(1);
  });

  it('two instances on one PostgreSQL database with their own data folders: the second refuses', async () => {
    if (!t.config.databaseUrl) return; // embedded: one data folder is the database
    const second = createApp(
      testConfig({ databaseUrl: t.config.databaseUrl, auditSigningKey: undefined, dataDir: tempDir('cloison-keys-') }),
    );
    await expect(second).rejects.toThrow(/differs from the key published in the database/);
  });

  it('rotation: the published key signs the hand-over, the new key becomes current, old and new exports verify offline', async () => {
    await setOption(t, 'alpha', 'retention_days', 400);
    await checkpointNow(t);
    const oldKey = await publicKeyOf(t);
    const next = newKey();
    t = await t.reboot({ auditSigningKey: next, auditPreviousSigningKey: TEST_SIGNING_KEY });

    const key = await t.http.get('/v1/audit/public-key').expect(200);
    expect(key.body).toMatchObject({ fingerprint: fingerprintOf(next), publicKeyBase64: spkiOf(next) });
    const rotated = await t.superuser((c) => c.query("SELECT after FROM audit_events WHERE action = 'audit.key_rotated'"));
    expect(rotated.rows).toEqual([{ after: expect.objectContaining({ from: fingerprintOf(TEST_SIGNING_KEY), to: fingerprintOf(next) }) }]);

    await setOption(t, 'alpha', 'retention_days', 500);
    await checkpointNow(t);
    expect(await verifyOnline(t)).toMatchObject({ ok: true });
    expect(await verifyOnline(t, 'alpha')).toMatchObject({ ok: true });
    for (const scope of [undefined, 'alpha']) {
      const text = await exportText(t, scope);
      // A reviewer who kept the old key, one who took the new one: both verify; a stranger's key does not.
      expect(await verifyOffline(text, oldKey)).toMatchObject({ ok: true });
      expect(await verifyOffline(text, key.body.publicKeyBase64)).toMatchObject({ ok: true });
      expect(await verifyOffline(text, spkiOf(newKey()))).toMatchObject({
        ok: false,
        reason: expect.stringContaining('not with the given public key'),
      });
    }

    // The old key is no longer current; the new one restarts without rotating again.
    await expect(t.reboot({ auditSigningKey: TEST_SIGNING_KEY, auditPreviousSigningKey: undefined })).rejects.toThrow(fingerprintOf(next));
    t = await t.reboot({ auditSigningKey: next });
    const rows = await t.superuser((c) => c.query('SELECT seq, fingerprint FROM service_keys ORDER BY seq'));
    expect(rows.rows).toEqual([
      { seq: 1, fingerprint: fingerprintOf(TEST_SIGNING_KEY) },
      { seq: 2, fingerprint: fingerprintOf(next) },
    ]);
    await t.as(OPERATOR_TOKEN).get('/v1/tenants').expect(200);
  });

  it('a forged rotation in an export header does not make a stranger key trusted', async () => {
    const text = await exportText(t);
    const [header, ...rest] = text.split('\n');
    const h = JSON.parse(header as string);
    const stranger = newKey();
    h.keyRotations[0].toKey = spkiOf(stranger);
    h.keyRotations[0].to = fingerprintOf(stranger);
    const forged = [JSON.stringify(h), ...rest].join('\n');
    expect(await verifyOffline(forged, await publicKeyOf(t))).toMatchObject({ ok: false });
  });
});

describe('seals across a key rotation', () => {
  let t: TestApp;
  let db: TestDatabase;
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
  });

  it('a seal signed before a rotation is still signed by this service; one signed by a stranger key is not', async () => {
    db = await freshDatabase();
    t = await startTestApp({ databaseUrl: db.url, dataDir: db.url ? undefined : tempDir('cloison-keys-') });
    await createTenant(t, 'gamma');
    const admin = await inviteClientAdmin(t, 'gamma');
    const seal = (await t.as(OPERATOR_TOKEN).post('/v1/tenants/gamma/seals').send({ label: 'Congress' }).expect(201)).body.id as string;
    await t.as(OPERATOR_TOKEN_2).post(`/v1/tenants/gamma/seals/${seal}/approve`).expect(200);
    expect((await t.as(admin).post(`/v1/tenants/gamma/seals/${seal}/approve`).expect(200)).body.status).toBe('active');
    const verify = () => t.as(OPERATOR_TOKEN).get(`/v1/tenants/gamma/seals/${seal}/verify`).expect(200);
    expect((await verify()).body).toMatchObject({ matches: true, signedByThisService: true, valid: true });

    t = await t.reboot({ auditSigningKey: newKey(), auditPreviousSigningKey: TEST_SIGNING_KEY });
    expect((await verify()).body).toMatchObject({ matches: true, signedByThisService: true, valid: true });

    // A document re-signed with a key this installation never published is not the service's.
    const strangerPem = newKey();
    const publicKey = spkiOf(strangerPem);
    await t.superuser(async (c) => {
      const { signature: _, ...doc } = (await c.query('SELECT document FROM seals WHERE id = $1', [seal])).rows[0].document;
      const forged = signSealDocument({ ...doc, publicKey, keyId: keyIdOf(publicKey) }, parsePrivateKey(strangerPem));
      await c.query('UPDATE seals SET document = $1 WHERE id = $2', [forged, seal]);
    });
    expect((await verify()).body).toMatchObject({ signedByThisService: false, valid: false });
  });
});
