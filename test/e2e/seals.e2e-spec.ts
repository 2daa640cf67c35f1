import { verifySealDocument, type SealDocument } from '#seals';
import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { expectValuesAttested } from '../support/audit-helpers.js';

describe('election seals', () => {
  let t: TestApp;
  let op2: string;
  let op3: string;
  let clientA: string;
  let clientB: string;
  const op = () => t.as(OPERATOR_TOKEN);

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'seal-a');
    await createTenant(t, 'seal-b');
    op2 = OPERATOR_TOKEN_2;
    op3 = await createPrincipal(t, 'operator', undefined, 'third operator');
    clientA = await createPrincipal(t, 'client_admin', 'seal-a', 'polling office A');
    clientB = await createPrincipal(t, 'client_admin', 'seal-b');
    await op().put('/v1/tenants/seal-a/options/retention_days').send({ value: 900, reason: 'statutes' }).expect(200);
    const live = (
      await op().put('/v1/tenants/seal-a/options/admin_results_during_vote').send({ value: true, reason: 'rehearsal' }).expect(202)
    ).body;
    await t.as(op2).post(`/v1/tenants/seal-a/change-requests/${live.id}/approve`).send({ contentHash: live.contentHash }).expect(200);
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  let sealId: string;
  let pendingRequest: { id: string; contentHash: string };

  it('a proposed seal with 1 of 2 approvals is not active; the proposer cannot approve', async () => {
    pendingRequest = (
      await op().put('/v1/tenants/seal-a/options/voter_list_export').send({ value: true, reason: 'export before sealing' }).expect(202)
    ).body;
    const proposed = await op().post('/v1/tenants/seal-a/seals').send({ label: 'Congress 2023 — round 1' }).expect(201);
    sealId = proposed.body.id;
    expect(proposed.body).toMatchObject({ status: 'proposed', requiredApprovals: 2, label: 'Congress 2023 — round 1' });
    await op().post(`/v1/tenants/seal-a/seals/${sealId}/approve`).expect(403);
    await t.as(clientB).post(`/v1/tenants/seal-a/seals/${sealId}/approve`).expect(404);
    const one = await t.as(op2).post(`/v1/tenants/seal-a/seals/${sealId}/approve`).expect(200);
    expect(one.body.status).toBe('proposed');
    // Two operators are not enough: a client admin of the tenant must be among the approvers, so
    // another operator's approval would decide nothing and is refused, not recorded.
    const two = await t.as(op3).post(`/v1/tenants/seal-a/seals/${sealId}/approve`).expect(409);
    expect(two.body.details[0].rule).toBe('approval_not_needed');
    expect((await op().get(`/v1/tenants/seal-a/seals/${sealId}`).expect(200)).body.status).toBe('proposed');
    await op().put('/v1/tenants/seal-a/options/ui_language').send({ value: 'en', reason: 'still open' }).expect(200);
  });

  it('the client admin completes the seal: fingerprint signed, verifiable online and offline', async () => {
    const active = await t.as(clientA).post(`/v1/tenants/seal-a/seals/${sealId}/approve`).expect(200);
    expect(active.body.status).toBe('active');
    expect(active.body.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const doc = active.body.document as SealDocument;
    expect(doc.state.configuration).toMatchObject({ retention_days: 900, ui_language: 'en', admin_can_view_credentials: false });
    expect(doc.approvals.map((a) => a.role)).toEqual(['operator', 'client_admin']);
    expect(verifySealDocument(doc)).toEqual({ signatureValid: true, fingerprintValid: true, keyIdValid: true, valid: true });
    // Signed with the key that signs audit checkpoints: one published key to trust.
    const published = (await t.http.get('/v1/audit/public-key').expect(200)).body as { fingerprint: string; publicKeyBase64: string };
    expect({ keyId: `sha256:${doc.keyId}`, publicKey: doc.publicKey }).toEqual({
      keyId: published.fingerprint,
      publicKey: published.publicKeyBase64,
    });
    const forged = { ...doc, state: { ...doc.state, configuration: { ...doc.state.configuration, admin_can_view_credentials: true } } };
    expect(verifySealDocument(forged).valid).toBe(false);
    expect(verifySealDocument({ ...forged, fingerprint: active.body.fingerprint.replace(/^./, '0') }).valid).toBe(false);

    const verified = await t.as(clientA).get(`/v1/tenants/seal-a/seals/${sealId}/verify`).expect(200);
    expect(verified.body).toMatchObject({ matches: true, signedByThisService: true, valid: true });
    const events = (await op().get('/v1/tenants/seal-a/audit?action=seal.activated').expect(200)).body.items;
    expect(events[0].after).toMatchObject({ id: sealId, fingerprint: active.body.fingerprint });
  });

  it('an active seal makes every write path answer 423 with the seal id; other tenants are unaffected', async () => {
    const before = await t.snapshot();
    const attempts = [
      op().put('/v1/tenants/seal-a/options/ui_language').send({ value: 'de', reason: 'after seal' }),
      op().put('/v1/tenants/seal-a/options/admin_can_view_credentials').send({ value: true, reason: 'after seal' }),
      op().delete('/v1/tenants/seal-a/options/retention_days').send({ reason: 'after seal' }),
      op()
        .post('/v1/tenants/seal-a/change-requests')
        .send({ option: 'voter_list_export', operation: 'set', value: true, reason: 'after seal' }),
      t.as(op2).post(`/v1/tenants/seal-a/change-requests/${pendingRequest.id}/approve`).send({ contentHash: pendingRequest.contentHash }),
    ];
    for (const attempt of attempts) {
      const res = await attempt;
      expect(res.status).toBe(423);
      expect(res.body.message).toContain(sealId);
      // The tenant is named as the caller names it, by slug (never its internal id).
      expect(res.body.message).toContain('tenant "seal-a" is sealed');
      expect(res.body.details[0]).toMatchObject({ rule: 'sealed', message: sealId });
    }
    const plan = (
      await op()
        .post('/v1/bulk-changes')
        .send({
          option: 'ui_language',
          operation: 'set',
          value: 'es',
          tenants: ['seal-a', 'seal-b'],
          reason: 'bulk after seal',
          dryRun: true,
        })
        .expect(200)
    ).body;
    const bulk = await op()
      .post('/v1/bulk-changes')
      .send({
        option: 'ui_language',
        operation: 'set',
        value: 'es',
        tenants: ['seal-a', 'seal-b'],
        reason: 'bulk after seal',
        planHash: plan.planHash,
      });
    expect(bulk.status).toBe(423);
    expect(await t.snapshot()).toEqual(before);
    await op().put('/v1/tenants/seal-b/options/ui_language').send({ value: 'de', reason: 'not sealed' }).expect(200);
  });

  it('verification fails after a direct database change', async () => {
    await t.superuser((c) =>
      c.query(
        `UPDATE option_values SET value = '30'::jsonb WHERE option_key = 'retention_days' AND tenant_id = (SELECT id FROM tenants WHERE slug = 'seal-a')`,
      ),
    );
    const res = await op().get(`/v1/tenants/seal-a/seals/${sealId}/verify`).expect(200);
    expect(res.body).toMatchObject({ matches: false, valid: false, document: { valid: true } });
    expect(res.body.currentFingerprint).not.toBe(res.body.fingerprint);
    await t.superuser((c) =>
      c.query(
        `UPDATE option_values SET value = '900'::jsonb WHERE option_key = 'retention_days' AND tenant_id = (SELECT id FROM tenants WHERE slug = 'seal-a')`,
      ),
    );
    expect((await op().get(`/v1/tenants/seal-a/seals/${sealId}/verify`).expect(200)).body.valid).toBe(true);
  });

  it('under the seal, secrecy options may only move towards more secrecy, through break-glass by two operators', async () => {
    const path = `/v1/tenants/seal-a/seals/${sealId}/break-glass-changes`;
    const less = await op().post(path).send({ option: 'ballot_secrecy', value: 'public', reason: 'open the ballots' }).expect(422);
    expect(less.body.details[0]).toMatchObject({ pointer: '/value', rule: 'secrecy_only_increases' });
    const other = await op().post(path).send({ option: 'retention_days', value: 400, reason: 'shorter retention' }).expect(422);
    expect(other.body.details[0]).toMatchObject({ rule: 'secrecy_option' });
    await t.as(clientA).post(path).send({ option: 'admin_results_during_vote', value: false, reason: 'hide interim results' }).expect(403);

    const req = (
      await op().post(path).send({ option: 'admin_results_during_vote', value: false, reason: 'hide interim results' }).expect(201)
    ).body;
    expect(req).toMatchObject({ status: 'pending', breakGlassSeal: sealId, required: { operator: true, clientAdmin: false } });
    await op().put('/v1/tenants/seal-a/options/admin_results_during_vote').send({ value: false, reason: 'regular path' }).expect(423);
    await op().post(`/v1/tenants/seal-a/change-requests/${req.id}/approve`).send({ contentHash: req.contentHash }).expect(403);
    const applied = await t
      .as(op2)
      .post(`/v1/tenants/seal-a/change-requests/${req.id}/approve`)
      .send({ contentHash: req.contentHash })
      .expect(200);
    expect(applied.body.status).toBe('applied');
    expect((await op().get('/v1/tenants/seal-a/options/admin_results_during_vote').expect(200)).body.value).toBe(false);
    expect((await op().get(`/v1/tenants/seal-a/seals/${sealId}`).expect(200)).body.status).toBe('active');
    const [event] = (await op().get('/v1/tenants/seal-a/audit?action=change_request.applied').expect(200)).body.items;
    expect(event.after).toMatchObject({ id: req.id, breakGlassSeal: sealId });
    // The sealed fingerprint no longer matches: the break-glass change is visible to scrutineers.
    expect((await op().get(`/v1/tenants/seal-a/seals/${sealId}/verify`).expect(200)).body).toMatchObject({
      matches: false,
      document: { valid: true },
    });
  });

  it('lifting needs k approvals including the client admin; break-glass needs two operators and is recorded', async () => {
    const lift = await t.as(op2).post(`/v1/tenants/seal-a/seals/${sealId}/lift`).send({ reason: 'round 1 closed' }).expect(200);
    expect(lift.body.status).toBe('active');
    const glass = await op()
      .post(`/v1/tenants/seal-a/seals/${sealId}/break-glass`)
      .send({ reason: 'results server down, must reopen' })
      .expect(200);
    expect(glass.body.status).toBe('active');
    await t.as(clientA).post(`/v1/tenants/seal-a/seals/${sealId}/break-glass`).send({ reason: 'client cannot break glass' }).expect(403);
    // An operator the first one requested is the same person: it does not make two.
    const puppet = await t.as(op3).post(`/v1/tenants/seal-a/seals/${sealId}/break-glass`).send({ reason: 'me again' }).expect(403);
    expect(puppet.body.details[0].rule).toBe('lineage_differs_from_approvers');
    const broken = await t
      .as(op2)
      .post(`/v1/tenants/seal-a/seals/${sealId}/break-glass`)
      .send({ reason: 'confirmed with the polling office' })
      .expect(200);
    expect(broken.body).toMatchObject({ status: 'lifted', breakGlass: true, liftReason: 'confirmed with the polling office' });
    const events = (await op().get('/v1/tenants/seal-a/audit?action=seal.lifted').expect(200)).body.items;
    expect(events[0].after).toEqual({ id: sealId, breakGlass: true });
    await op().put('/v1/tenants/seal-a/options/ui_language').send({ value: 'de', reason: 'after lift' }).expect(200);
  });

  it('a regular lift with k approvals including the client admin', async () => {
    // Approvers must exist before the seal is proposed.
    const otherClient = await createPrincipal(t, 'client_admin', 'seal-a', 'second office member');
    const s = (await t.as(clientA).post('/v1/tenants/seal-a/seals').send({ label: 'Round 2', requiredApprovals: 2 }).expect(201)).body;
    await op().post(`/v1/tenants/seal-a/seals/${s.id}/approve`).expect(200);
    // The proposer is the client admin; its own approval does not count, so the quorum needs another client admin.
    expect((await t.as(op2).post(`/v1/tenants/seal-a/seals/${s.id}/approve`).expect(409)).body.details[0].rule).toBe('approval_not_needed');
    expect((await t.as(otherClient).post(`/v1/tenants/seal-a/seals/${s.id}/approve`).expect(200)).body.status).toBe('active');
    await op().post(`/v1/tenants/seal-a/seals/${s.id}/lift`).send({ reason: 'round 2 closed' }).expect(200);
    const lifted = await t.as(clientA).post(`/v1/tenants/seal-a/seals/${s.id}/lift`).send({ reason: 'round 2 closed' }).expect(200);
    expect(lifted.body).toMatchObject({ status: 'lifted', breakGlass: false });
  });

  it('stored values agree with the audit chains after seals, break-glass changes and lifts, online and offline', async () => {
    await expectValuesAttested(t, 2);
  });
});
