import { statSync } from 'node:fs';
import { join } from 'node:path';
import { auditVerifyCommand } from '#cli/commands/audit-verify.command';
import { AuditRecorder, auditPlaceholders } from '#audit';
import { sealContentHash, type ApprovalStatement } from '#audit-format';
import {
  OPERATOR_TOKEN,
  OPERATOR_TOKEN_2,
  createTenant,
  inviteClientAdmin,
  startTestApp,
  tempDir,
  type TestApp,
} from '../support/test-app.js';
import { cliAs } from '../support/cli-runner.js';
import { checkpointNow, exportText, publicKeyOf, setOption, verifyOffline, verifyOnline } from '../support/audit-helpers.js';
import { SoftPasskey, ed25519Key } from '../support/approval-keys.js';
import type { ApprovalFinding } from '#audit-format';

const CRED = 'admin_can_view_credentials';

/**
 * Signed consent at the service's default setting (tenants of risk level 2 and above refuse
 * unsigned approvals of critical options): enrolment, signatures bound to the request, its
 * content, the tenant and the time, and offline verification that finds a forged approval.
 */
describe('signed approvals', () => {
  let t: TestApp;
  let key: string;
  let acme: { id: string };
  let other: { id: string };
  let clientAcme: string;
  let clientOther: string;
  const passkey = new SoftPasskey();
  const opKey = ed25519Key();
  const otherKey = ed25519Key();
  let me: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({ signedApprovalsFromRisk: 2 });
    key = await publicKeyOf(t);
    acme = await createTenant(t, 'acme');
    other = await createTenant(t, 'other');
    clientAcme = await inviteClientAdmin(t, 'acme');
    clientOther = await inviteClientAdmin(t, 'other');
    const who = async (token: string) => (await t.as(token).get('/v1/me').expect(200)).body.id as string;
    me = { clientAcme: await who(clientAcme), clientOther: await who(clientOther), op2: await who(OPERATOR_TOKEN_2) };
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  const request = async (option = CRED) => {
    const value = option === 'ballot_secrecy' ? 'public' : true;
    const res = await t.as(OPERATOR_TOKEN).put(`/v1/tenants/acme/options/${option}`).send({ value, reason: 'the client asked for it' });
    expect(res.status).toBe(202);
    return res.body as { id: string; contentHash: string };
  };
  const statement = (subject: string, contentHash: string, approver: string, over: Partial<ApprovalStatement> = {}): ApprovalStatement => ({
    action: 'change_request.approve',
    tenant: acme.id,
    subject,
    contentHash,
    approver,
    at: new Date().toISOString(),
    ...over,
  });
  const approve = (token: string, id: string, contentHash: string, signature?: unknown) =>
    t
      .as(token)
      .post(`/v1/tenants/acme/change-requests/${id}/approve`)
      .send({ contentHash, ...(signature ? { signature } : {}) });

  it('a client admin enrols a passkey and an operator an Ed25519 key; both are audited with the public key', async () => {
    const options = (await t.as(clientAcme).post('/v1/me/credentials/registration-options').send({}).expect(200)).body;
    expect(options.rp.id).toBe('localhost');
    const enrolled = await t
      .as(clientAcme)
      .post('/v1/me/credentials')
      .send({ kind: 'webauthn', label: 'laptop', response: passkey.register(options.challenge) });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toMatchObject({ fingerprint: passkey.fingerprint, kind: 'webauthn' });
    // A registration answering a challenge made for someone else is refused.
    const foreign = (await t.as(clientOther).post('/v1/me/credentials/registration-options').send({}).expect(200)).body;
    const stolen = await t
      .as(clientAcme)
      .post('/v1/me/credentials')
      .send({ kind: 'webauthn', label: 'x', response: new SoftPasskey().register(foreign.challenge) });
    expect(stolen.status).toBe(422);
    await t
      .as(OPERATOR_TOKEN_2)
      .post('/v1/me/credentials')
      .send({ kind: 'ed25519', label: 'automation', publicKey: opKey.publicKeyPem })
      .expect(201);
    await t
      .as(clientOther)
      .post('/v1/me/credentials')
      .send({ kind: 'ed25519', label: 'cli', publicKey: otherKey.publicKeyPem })
      .expect(201);
    const events = (await t.as(OPERATOR_TOKEN).get('/v1/tenants/acme/audit?limit=100').expect(200)).body.items;
    const enrolment = events.find((e: { action: string }) => e.action === 'credential.enrolled');
    expect(enrolment.after).toMatchObject({
      principal: me.clientAcme,
      fingerprint: passkey.fingerprint,
      kind: 'webauthn',
      publicKeyJwk: { kty: 'EC', crv: 'P-256' },
      rpId: 'localhost',
    });
    const global = (await t.as(OPERATOR_TOKEN).get('/v1/audit?limit=100').expect(200)).body.items;
    expect(
      global.some(
        (e: { action: string; after: { fingerprint?: string } }) =>
          e.action === 'credential.enrolled' && e.after.fingerprint === opKey.fingerprint,
      ),
    ).toBe(true);
  });

  it('only approving roles enrol keys; a removed key signs nothing more', async () => {
    const service = (
      await t.as(OPERATOR_TOKEN).post('/v1/principals').send({ name: 'voting platform', role: 'service', tenant: 'acme' }).expect(201)
    ).body.token;
    const refused = await t
      .as(service)
      .post('/v1/me/credentials')
      .send({ kind: 'ed25519', label: 'x', publicKey: ed25519Key().publicKeyPem });
    expect(refused.status).toBe(403);
    expect(
      (
        await t
          .as(clientAcme)
          .post('/v1/me/credentials')
          .send({ kind: 'ed25519', label: 'x', publicKey: 'not a key at all, but long enough to pass the schema' })
      ).status,
    ).toBe(422);
    const spare = ed25519Key();
    await t.as(clientAcme).post('/v1/me/credentials').send({ kind: 'ed25519', label: 'spare', publicKey: spare.publicKeyPem }).expect(201);
    expect(
      (await t.as(clientAcme).post('/v1/me/credentials').send({ kind: 'ed25519', label: 'again', publicKey: spare.publicKeyPem })).status,
    ).toBe(409);
    expect((await t.as(clientAcme).get('/v1/me/credentials').expect(200)).body.map((c: { fingerprint: string }) => c.fingerprint)).toEqual([
      passkey.fingerprint,
      spare.fingerprint,
    ]);
    // Another principal cannot remove it; its owner can, and the removal is in the tenant's chain.
    expect((await t.as(clientOther).post('/v1/me/credentials/remove').send({ fingerprint: spare.fingerprint })).status).toBe(404);
    await t.as(clientAcme).post('/v1/me/credentials/remove').send({ fingerprint: spare.fingerprint }).expect(200);
    const cr = await request('ballot_secrecy');
    const res = await approve(clientAcme, cr.id, cr.contentHash, spare.sign(statement(cr.id, cr.contentHash, me.clientAcme)));
    expect(res.status).toBe(403);
    expect(res.body.details[0].rule).toBe('signature_key');
    await t.as(OPERATOR_TOKEN).post(`/v1/tenants/acme/change-requests/${cr.id}/withdraw`).send({ reason: 'test done' }).expect(200);
  });

  it('refuses an unsigned approval of a critical option, and signatures made for another request, content, tenant or time', async () => {
    const cr = await request();
    const sibling = await t
      .as(OPERATOR_TOKEN)
      .post('/v1/tenants/acme/change-requests')
      .send({ option: 'ballot_secrecy', operation: 'set', value: 'public', reason: 'another request' });
    expect(sibling.status).toBe(201);
    const before = await t.snapshot();
    const refused = async (signature: unknown, rule: string) => {
      const res = await approve(clientAcme, cr.id, cr.contentHash, signature);
      expect(res.status).toBe(403);
      expect(res.body.details[0].rule).toBe(rule);
    };
    await refused(undefined, 'signature_required');
    await refused(passkey.sign(statement(sibling.body.id, sibling.body.contentHash, me.clientAcme)), 'signature_valid');
    await refused(passkey.sign(statement(cr.id, 'f'.repeat(64), me.clientAcme)), 'signature_valid');
    await refused(passkey.sign(statement(cr.id, cr.contentHash, me.clientAcme, { tenant: other.id })), 'signature_valid');
    await refused(
      passkey.sign(statement(cr.id, cr.contentHash, me.clientAcme, { at: new Date(Date.now() - 10 * 60_000).toISOString() })),
      'signature_valid',
    );
    // Someone else's key, even over the right statement, is not the approver's.
    await refused(otherKey.sign(statement(cr.id, cr.contentHash, me.clientAcme)), 'signature_key');
    expect(await t.snapshot()).toEqual(before);
    // The operator's approval of a critical option must be signed too.
    expect((await approve(OPERATOR_TOKEN_2, cr.id, cr.contentHash)).status).toBe(403);
    await approve(OPERATOR_TOKEN_2, cr.id, cr.contentHash, opKey.sign(statement(cr.id, cr.contentHash, me.op2))).expect(200);
    const done = await approve(clientAcme, cr.id, cr.contentHash, passkey.sign(statement(cr.id, cr.contentHash, me.clientAcme)));
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('applied');
  });

  it('the export verifies offline and names each approval as signed, and by which key', async () => {
    await checkpointNow(t);
    const tenant = await verifyOffline(await exportText(t, 'acme'), key);
    expect(tenant).toMatchObject({ ok: true });
    const approvals = (tenant as unknown as { approvals: ApprovalFinding[] }).approvals;
    expect(approvals).toEqual([
      // The operator's key, enrolled in the global chain, was introduced into the tenant's before it signed there.
      expect.objectContaining({
        status: 'signed',
        key: opKey.fingerprint,
        label: 'automation',
        approver: expect.objectContaining({ role: 'operator' }),
      }),
      expect.objectContaining({
        status: 'signed',
        key: passkey.fingerprint,
        kind: 'webauthn',
        label: 'laptop',
        approver: expect.objectContaining({ id: me.clientAcme }),
      }),
    ]);
    const global = await verifyOffline(await exportText(t), key);
    expect(global).toMatchObject({ ok: true });
    expect((global as unknown as { approvals: ApprovalFinding[] }).approvals.map((a) => a.status)).toEqual(['signed', 'signed']);
  });

  it('an approval written straight into the database passes the chain checks but fails offline verification at that event', async () => {
    const cr = await request('edit_electors_after_seal');
    // As someone holding the database: append through the chain function (links recomputed), then let the service checkpoint it.
    const event = new AuditRecorder().prepare({
      actor: { id: me.clientAcme, name: 'client admin acme', role: 'client_admin' },
      action: 'change_request.approved',
      tenantId: acme.id,
      optionKey: 'edit_electors_after_seal',
      after: { id: cr.id, contentHash: cr.contentHash, revision: 1 },
    });
    const seq = await t.superuser(async (c) => {
      const rows = await c.query(`SELECT * FROM cloison_audit_append(${auditPlaceholders(0)})`, event.args);
      return Number(rows.rows[0].event_tenant_seq);
    });
    // The service's next event in the tenant links after it, and its checkpoint covers it.
    await setOption(t, 'acme', 'retention_days', 120);
    await checkpointNow(t);
    expect(await verifyOnline(t, 'acme')).toMatchObject({ ok: true });
    const text = await exportText(t, 'acme');
    const offline = await verifyOffline(text, key);
    expect(offline).toMatchObject({ ok: false, firstBrokenSeq: seq });
    expect(offline.reason).toMatch(/not signed, and its tenant requires signed approvals/);
    expect(JSON.parse(text.split('\n')[(offline.line as number) - 1] as string)).toMatchObject({
      tenantSeq: seq,
      action: 'change_request.approved',
    });
  });

  it('cloison keys create writes a 0600 key and enrols it; cloison approve signs; cloison audit verify names the signer', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    const cli = (argv: string[], token: string) => cliAs(url, token, argv);
    const dir = tempDir();
    const created = await cli(['keys', 'create', '--key', join(dir, 'client.pem'), '--label', 'treasurer laptop'], clientOther);
    expect(created).toMatchObject({ code: 0, out: expect.stringMatching(/^sha256:[0-9a-f]{64}\n$/) });
    expect(statSync(join(dir, 'client.pem')).mode & 0o777).toBe(0o600);
    expect((await cli(['keys', 'create', '--key', join(dir, 'client.pem')], clientOther)).code).toBe(2);
    expect((await cli(['keys', 'create', '--key', join(dir, 'op.pem')], OPERATOR_TOKEN_2)).code).toBe(0);
    const cr = (
      await t
        .as(OPERATOR_TOKEN)
        .put(`/v1/tenants/other/options/${CRED}`)
        .send({ value: true, reason: 'the client asked for it' })
        .expect(202)
    ).body;
    expect((await cli(['approve', 'other', cr.id, '--key', join(dir, 'op.pem')], OPERATOR_TOKEN_2)).code).toBe(0);
    const approved = await cli(['approve', 'other', cr.id, '--key', join(dir, 'client.pem')], clientOther);
    expect(approved).toMatchObject({ code: 0, out: expect.stringContaining('status applied') });
    // A seal approval signed with the same key (user verification is demanded of passkeys only): stored and checked offline.
    const seal = (await t.as(OPERATOR_TOKEN).post('/v1/tenants/other/seals').send({ label: 'general assembly 2027' }).expect(201)).body;
    const sealStatement: ApprovalStatement = {
      action: 'seal.approve',
      tenant: other.id,
      subject: seal.id,
      approver: me.clientOther,
      at: new Date().toISOString(),
      contentHash: sealContentHash(
        { tenantId: other.id, id: seal.id, label: seal.label, requiredApprovals: seal.requiredApprovals },
        'activate',
        null,
      ),
    };
    const wrongSeal = otherKey.sign({
      ...sealStatement,
      contentHash: sealContentHash({ tenantId: other.id, id: seal.id, label: 'another label', requiredApprovals: 2 }, 'activate', null),
    });
    expect((await t.as(clientOther).post(`/v1/tenants/other/seals/${seal.id}/approve`).send({ signature: wrongSeal })).status).toBe(403);
    await t
      .as(clientOther)
      .post(`/v1/tenants/other/seals/${seal.id}/approve`)
      .send({ signature: otherKey.sign(sealStatement) })
      .expect(200);
    await checkpointNow(t);
    const verify = async (file: string) => {
      const run = { code: 0, out: '' };
      run.code = await auditVerifyCommand([file, '--public-key', key], { out: (x: string) => void (run.out += x), err: () => undefined });
      return run;
    };
    const tenantFile = join(dir, 'other.jsonl');
    expect((await cli(['audit', 'export', '--tenant', 'other', '--out', tenantFile], clientOther)).code).toBe(0);
    const tenant = await verify(tenantFile);
    expect(tenant.code).toBe(0);
    expect(tenant.out).toMatch(
      /sequence number \d+\): signed by client admin other \(client_admin, [0-9a-f-]+\) with ed25519 key sha256:[0-9a-f]{64} "treasurer laptop"/,
    );
    // The operator's key reached the tenant's chain before it signed there: checked from the tenant's export alone.
    expect(tenant.out).toMatch(
      /signed by second bootstrap operator \(operator, [0-9a-f-]+\) with ed25519 key sha256:[0-9a-f]{64} "cloison CLI"/,
    );
    expect(tenant.out).toMatch(
      /approval seal.approved [0-9a-f-]+ \(line \d+, sequence number \d+\): signed by client admin other .* with ed25519 key/,
    );
    expect(tenant.out).toMatch(/^OK: .* 3 of 3 approvals carry a verified signature$/m);
    // The global export holds the approval forged in the test above: it fails there, named with its line.
    const globalFile = join(dir, 'global.jsonl');
    expect((await cli(['audit', 'export', '--out', globalFile], OPERATOR_TOKEN)).code).toBe(0);
    const global = await verify(globalFile);
    expect(global.code).toBe(1);
    expect(global.out).toMatch(
      /BROKEN at line \d+, sequence number \d+: approval by client admin acme .* is not signed, and its tenant requires signed approvals/,
    );
  });
});
