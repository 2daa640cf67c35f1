import pg from 'pg';
import { signedApprovalsContentHash, type ApprovalStatement } from '#audit-format';
import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createTenant, inviteClientAdmin, startTestApp, type TestApp } from '../support/test-app.js';
import { exportText, publicKeyOf, verifyOffline } from '../support/audit-helpers.js';
import { ed25519Key } from '../support/approval-keys.js';
import { lockWaiters } from '../support/lock-waits.js';

// Two requests in flight against one key need two database sessions: PostgreSQL only.
const withServer = process.env.DATABASE_URL ? describe : describe.skip;

/**
 * An approval and the removal of the key it is signed with, at the same time: whichever commits
 * first, no key signs after its owner removed it, and the tenant's export verifies offline. Then an
 * approval and another signed step with the same key (lowering signed approvals): one waits for the
 * other. Each case stops one of them at a chosen point with a lock held by another session, then
 * lets it go.
 */
withServer('approval key removal', () => {
  let t: TestApp;
  let admin: string;
  let adminId: string;
  let acme: { id: string };
  let db: pg.Client;

  beforeAll(async () => {
    t = await startTestApp({ signedApprovalsFromRisk: 2 });
    acme = await createTenant(t, 'acme');
    admin = await inviteClientAdmin(t, 'acme');
    adminId = (await t.as(admin).get('/v1/me').expect(200)).body.id;
    db = new pg.Client({ connectionString: t.config.databaseUrl });
    await db.connect();
  }, 180_000);
  afterAll(async () => {
    await db?.end();
    await t?.stop();
  });

  const enrol = async () => {
    const key = ed25519Key();
    await t.as(admin).post('/v1/me/credentials').send({ kind: 'ed25519', label: 'laptop', publicKey: key.publicKeyPem }).expect(201);
    return key;
  };
  const request = async (value = 'public') => {
    const res = await t.as(OPERATOR_TOKEN).put('/v1/tenants/acme/options/ballot_secrecy').send({ value, reason: 'asked for' });
    expect(res.status).toBe(202);
    return res.body as { id: string; contentHash: string };
  };
  const statement = (cr: { id: string; contentHash: string }, approver = adminId): ApprovalStatement => ({
    action: 'change_request.approve',
    tenant: acme.id,
    subject: cr.id,
    contentHash: cr.contentHash,
    approver,
    at: new Date().toISOString(),
  });
  /** Sends a request now; `done` tells whether it has been answered. */
  type Answer = { status: number; body: { details?: { rule: string }[] } };
  type InFlight = { done: boolean; answer: Promise<Answer> };
  const inFlight = (test: PromiseLike<Answer>): InFlight => {
    const f: { done: boolean; answer?: Promise<Answer> } = { done: false };
    f.answer = Promise.resolve(test).then((r) => {
      f.done = true;
      return r;
    });
    return f as InFlight;
  };
  const approve = (cr: { id: string; contentHash: string }, key: ReturnType<typeof ed25519Key>) =>
    inFlight(
      t
        .as(admin)
        .post(`/v1/tenants/acme/change-requests/${cr.id}/approve`)
        .send({ contentHash: cr.contentHash, signature: key.sign(statement(cr)) }),
    );
  const remove = (key: ReturnType<typeof ed25519Key>) =>
    inFlight(t.as(admin).post('/v1/me/credentials/remove').send({ fingerprint: key.fingerprint }));
  const holdApprovalRow = async (cr: { id: string; contentHash: string }) => {
    // Stops the approval after its key check, at its approval row: another session holds the same row,
    // uncommitted, inserted without its foreign key's lock on the request (which the approval locks first).
    await db.query('BEGIN');
    await db.query(`SET LOCAL session_replication_role = replica`);
    await db.query(
      `INSERT INTO change_request_approvals (request_id, tenant_id, principal_id, principal_name, role, content_hash, approved_at)
       VALUES ($1, $2, $3, 'held', 'client_admin', $4, now())`,
      [cr.id, acme.id, adminId, cr.contentHash],
    );
  };
  type Event = { action?: string; after?: { fingerprint?: string; id?: string } };
  /** The tenant's export verifies offline, with the last event `later` matches after the last `earlier` matches. */
  const expectInExport = async (earlier: (e: Event) => boolean, later: (e: Event) => boolean) => {
    const text = await exportText(t, 'acme');
    const events = text
      .split('\n')
      .filter((l) => l.startsWith('{"'))
      .map((l) => JSON.parse(l) as Event);
    const first = events.findLastIndex(earlier);
    expect(first).toBeGreaterThan(-1);
    expect(events.findLastIndex(later)).toBeGreaterThan(first);
    expect((await verifyOffline(text, await publicKeyOf(t))).ok).toBe(true);
  };
  /** Lets the held approval row go with `second` waiting behind `first`: both answered 200, `second` only then. */
  const releaseInTurn = async (first: InFlight, second: InFlight) => {
    await lockWaiters(db, 2, () => second.done);
    expect(second.done).toBe(false);
    await db.query('ROLLBACK');
    expect((await first.answer).status).toBe(200);
    expect((await second.answer).status).toBe(200);
  };
  const approvals = async (cr: { id: string }) =>
    (await db.query('SELECT count(*)::int AS n FROM change_request_approvals WHERE request_id = $1', [cr.id])).rows[0].n as number;

  it('a removal committed while the approval waits leaves the approval refused, with nothing of it written', async () => {
    const key = await enrol();
    const cr = await request();
    // The removal is stopped after it marked the key removed, before its event (the tenant's head is held).
    await db.query('BEGIN');
    await db.query('SELECT 1 FROM audit_heads WHERE chain = $1 FOR UPDATE', [acme.id]);
    const removal = remove(key);
    await lockWaiters(db, 1);
    const approval = approve(cr, key);
    await lockWaiters(db, 2);
    await db.query('COMMIT');
    expect((await removal.answer).status).toBe(200);
    const refused = await approval.answer;
    expect(refused.status).toBe(403);
    expect(refused.body.details?.[0]?.rule).toBe('signature_key');
    expect(await approvals(cr)).toBe(0);
  });

  it('a removal asked for while an approval holds the key waits for it, and is recorded after it', async () => {
    const key = await enrol();
    const cr = await request();
    await holdApprovalRow(cr);
    const approval = approve(cr, key);
    await lockWaiters(db, 1);
    const removal = remove(key);
    await releaseInTurn(approval, removal);
    expect(await approvals(cr)).toBe(1);
    await expectInExport(
      (e) => e.action === 'change_request.approved' && e.after?.id === cr.id,
      (e) => e.action === 'credential.removed' && e.after?.fingerprint === key.fingerprint,
    );
  });

  it('the same admin lowering signed approvals while its approval holds their key: both wait their turn, neither deadlocks', async () => {
    // The approval that completes a change locks its key, then (applying the change) the tenant row; the
    // setting must take them in that order too. Locking the tenant row first, it held what the approval
    // needed next while waiting for the approval's key, and PostgreSQL broke the deadlock by failing one.
    const raised = await t.as(admin).put('/v1/tenants/acme/signed-approvals').send({ required: true, reason: 'signed only' });
    expect([200, 409]).toContain(raised.status);
    const key = await enrol();
    const cr = await request('admin_visible');
    // The operator side first, so that the admin's approval is the one that applies the change.
    const opKey = ed25519Key();
    await t
      .as(OPERATOR_TOKEN_2)
      .post('/v1/me/credentials')
      .send({ kind: 'ed25519', label: 'op two', publicKey: opKey.publicKeyPem })
      .expect(201);
    const op2 = (await t.as(OPERATOR_TOKEN_2).get('/v1/me').expect(200)).body.id as string;
    await t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/acme/change-requests/${cr.id}/approve`)
      .send({ contentHash: cr.contentHash, signature: opKey.sign(statement(cr, op2)) })
      .expect(200);
    await holdApprovalRow(cr);
    const approval = approve(cr, key);
    await lockWaiters(db, 1);
    const reason = 'the federation signs by other means now';
    const lowering: ApprovalStatement = {
      action: 'tenant.lower_signed_approvals',
      tenant: acme.id,
      subject: acme.id,
      contentHash: signedApprovalsContentHash(acme.id, false, reason),
      approver: adminId,
      at: new Date().toISOString(),
    };
    const setting = inFlight(
      t
        .as(admin)
        .put('/v1/tenants/acme/signed-approvals')
        .send({ required: false, reason, signature: key.sign(lowering) }),
    );
    await releaseInTurn(approval, setting);
    expect(await approvals(cr)).toBe(2);
    const applied = await t.as(admin).get('/v1/tenants/acme/options/ballot_secrecy').expect(200);
    expect(applied.body.value).toBe('admin_visible');
    await expectInExport(
      (e) => e.action === 'change_request.approved' && e.after?.id === cr.id,
      (e) => e.action === 'tenant.signed_approvals_changed',
    );
  });
});
