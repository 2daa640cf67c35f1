import { OPERATOR_TOKEN_2, createTenant, inviteClientAdmin, startTestApp, type TestApp } from '../support/test-app.js';
import { SoftPasskey, ed25519Key } from '../support/approval-keys.js';

/**
 * A key is enrolled once across all tenants, yet a client admin sees only its own tenant's keys: a key
 * another tenant (or an operator) holds is refused just as one of its own tenant's, naming no holder,
 * and the holder keeps it.
 */
describe('enrolling a key already enrolled elsewhere', () => {
  let t: TestApp;
  let acme: string;
  let other: string;

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'acme');
    await createTenant(t, 'other');
    acme = await inviteClientAdmin(t, 'acme');
    other = await inviteClientAdmin(t, 'other');
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  const enrol = (token: string, publicKey: string, label = 'laptop') =>
    t.as(token).post('/v1/me/credentials').send({ kind: 'ed25519', label, publicKey });
  const refusal = (res: { status: number; body: { message?: string; details?: unknown } }) => ({
    status: res.status,
    message: res.body.message,
    details: res.body.details,
  });
  const enrolments = async (tenant: string) =>
    (await t.as(OPERATOR_TOKEN_2).get(`/v1/tenants/${tenant}/audit?limit=100`).expect(200)).body.items.filter(
      (e: { action: string }) => e.action === 'credential.enrolled',
    ).length;

  it("refuses another tenant's Ed25519 key as it refuses one's own, and the holder keeps it", async () => {
    const key = ed25519Key();
    await enrol(acme, key.publicKeyPem).expect(201);
    const own = await enrol(acme, key.publicKeyPem, 'again');
    expect(own.status).toBe(409);
    expect(own.body.details).toEqual([expect.objectContaining({ pointer: '/publicKey', rule: 'unique' })]);

    const before = await enrolments('other');
    const foreign = await enrol(other, key.publicKeyPem, 'mine');
    expect(refusal(foreign)).toEqual(refusal(own));
    expect(JSON.stringify(foreign.body)).not.toMatch(/acme/);
    expect(await enrolments('other')).toBe(before);

    const held = (await t.as(acme).get('/v1/me/credentials').expect(200)).body;
    expect(held).toEqual([expect.objectContaining({ fingerprint: key.fingerprint, label: 'laptop' })]);
    expect((await t.as(other).get('/v1/me/credentials').expect(200)).body).toEqual([]);
  });

  it("refuses an operator's key to a client admin", async () => {
    const key = ed25519Key();
    await enrol(OPERATOR_TOKEN_2, key.publicKeyPem).expect(201);
    const res = await enrol(other, key.publicKeyPem);
    expect(res.status).toBe(409);
    expect(res.body.details).toEqual([expect.objectContaining({ rule: 'unique' })]);
    expect((await t.as(OPERATOR_TOKEN_2).get('/v1/me/credentials').expect(200)).body).toEqual([
      expect.objectContaining({ fingerprint: key.fingerprint }),
    ]);
  });

  it("refuses another tenant's passkey the same way", async () => {
    const passkey = new SoftPasskey();
    const register = async (token: string) => {
      const options = (await t.as(token).post('/v1/me/credentials/registration-options').send({}).expect(200)).body;
      return t
        .as(token)
        .post('/v1/me/credentials')
        .send({ kind: 'webauthn', label: 'passkey', response: passkey.register(options.challenge) });
    };
    expect((await register(acme)).status).toBe(201);
    const res = await register(other);
    expect(res.status).toBe(409);
    expect(res.body.details).toEqual([expect.objectContaining({ rule: 'unique' })]);
    expect((await t.as(acme).get('/v1/me/credentials').expect(200)).body).toContainEqual(
      expect.objectContaining({ fingerprint: passkey.fingerprint, kind: 'webauthn' }),
    );
  });
});
