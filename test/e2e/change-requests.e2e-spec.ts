import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';
import { expectValuesAttested } from '../support/audit-helpers.js';

const CRED = 'admin_can_view_credentials';

describe('change requests: four-eyes approvals and client consent', () => {
  let t: TestApp;
  let op2: string;
  let op3: string;
  let clientA: string;
  let clientB: string;
  let compliance: string;

  beforeAll(async () => {
    t = await startTestApp();
    await createTenant(t, 'tenant-a');
    await createTenant(t, 'tenant-b');
    await createTenant(t, 'tenant-c', 3);
    // The second initial operator is another person; a third operator requested by the first is the first's.
    op2 = OPERATOR_TOKEN_2;
    op3 = await createPrincipal(t, 'operator', undefined, 'third operator');
    clientA = await createPrincipal(t, 'client_admin', 'tenant-a');
    clientB = await createPrincipal(t, 'client_admin', 'tenant-b');
    compliance = await createPrincipal(t, 'compliance');
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
  });

  const value = async (tenant: string, key: string) =>
    (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/${tenant}/options/${key}`).expect(200)).body.value;
  const actions = async (tenant: string) =>
    (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/${tenant}/audit?limit=100`).expect(200)).body.items.map(
      (e: { action: string }) => e.action,
    );

  it('seed scenario: a critical option meant for A but requested for B waits, B rejects, nothing changes', async () => {
    const before = await t.snapshot();
    const res = await t.as(OPERATOR_TOKEN).put(`/v1/tenants/tenant-b/options/${CRED}`).send({ value: true, reason: 'client asked for it' });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/v1/tenants/tenant-b/change-requests/${res.body.id}`);
    expect(res.body).toMatchObject({
      tenant: 'tenant-b',
      option: CRED,
      operation: 'set',
      value: true,
      status: 'pending',
      required: { operator: true, clientAdmin: true },
      approvals: [],
    });
    expect(await value('tenant-b', CRED)).toBe(false);

    const seen = await t.as(clientB).get('/v1/tenants/tenant-b/change-requests?status=pending').expect(200);
    expect(seen.body.map((r: { id: string }) => r.id)).toEqual([res.body.id]);
    // The other client sees neither the tenant nor the request.
    await t.as(clientA).get(`/v1/tenants/tenant-b/change-requests/${res.body.id}`).expect(404);
    await t.as(clientA).get(`/v1/tenants/tenant-a/change-requests/${res.body.id}`).expect(404);
    await t
      .as(clientA)
      .post(`/v1/tenants/tenant-a/change-requests/${res.body.id}/approve`)
      .send({ contentHash: res.body.contentHash })
      .expect(404);

    const rejected = await t
      .as(clientB)
      .post(`/v1/tenants/tenant-b/change-requests/${res.body.id}/reject`)
      .send({ reason: 'we never asked for this' })
      .expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decisionReason: 'we never asked for this' });
    await t
      .as(op2)
      .post(`/v1/tenants/tenant-b/change-requests/${res.body.id}/approve`)
      .send({ contentHash: res.body.contentHash })
      .expect(409);

    expect(await value('tenant-a', CRED)).toBe(false);
    expect(await value('tenant-b', CRED)).toBe(false);
    const after = await t.snapshot();
    expect(after.option_values).toEqual(before.option_values);
    expect(await actions('tenant-b')).toEqual(expect.arrayContaining(['change_request.created', 'change_request.rejected']));
    expect(await actions('tenant-b')).not.toContain('option.set');
    // Tenant A holds only its set-up: its president's invitation, approved by the second operator, and redeemed.
    expect(await actions('tenant-a')).toEqual([
      'invitation.redeemed',
      'principal.created',
      'principal.request_approved',
      'invitation.created',
      'principal.requested',
      'tenant.created',
    ]);
  });

  it('critical: self-approval refused, one operator is not enough, the client admin completes it', async () => {
    const res = await t
      .as(OPERATOR_TOKEN)
      .put(`/v1/tenants/tenant-a/options/${CRED}`)
      .send({ value: true, reason: 'support case 42' })
      .expect(202);
    const { id, contentHash } = res.body;
    const self = await t.as(OPERATOR_TOKEN).post(`/v1/tenants/tenant-a/change-requests/${id}/approve`).send({ contentHash });
    expect(self.status).toBe(403);

    const one = await t.as(op2).post(`/v1/tenants/tenant-a/change-requests/${id}/approve`).send({ contentHash }).expect(200);
    expect(one.body.status).toBe('pending');
    // A second operator would decide nothing (and is the requester's person anyway): refused, not recorded.
    const two = await t.as(op3).post(`/v1/tenants/tenant-a/change-requests/${id}/approve`).send({ contentHash }).expect(409);
    expect(two.body.details[0].rule).toBe('approval_not_needed');
    expect(await value('tenant-a', CRED)).toBe(false);
    await t.as(compliance).post(`/v1/tenants/tenant-a/change-requests/${id}/approve`).send({ contentHash }).expect(403);
    await t.as(compliance).get(`/v1/tenants/tenant-a/change-requests/${id}`).expect(200);

    const done = await t.as(clientA).post(`/v1/tenants/tenant-a/change-requests/${id}/approve`).send({ contentHash }).expect(200);
    expect(done.body.status).toBe('applied');
    expect(done.body.approvals.map((a: { role: string }) => a.role)).toEqual(['operator', 'client_admin']);
    expect(await value('tenant-a', CRED)).toBe(true);
    const log = await actions('tenant-a');
    expect(log.slice(0, 3)).toEqual(['change_request.applied', 'option.set', 'change_request.approved']);
  });

  it('editing a request drops its approvals; approving stale content is refused', async () => {
    const res = await t
      .as(OPERATOR_TOKEN)
      .put('/v1/tenants/tenant-b/options/ballot_secrecy')
      .send({ value: 'admin_visible', reason: 'audit rehearsal' })
      .expect(202);
    const { id, contentHash } = res.body;
    await t.as(op2).post(`/v1/tenants/tenant-b/change-requests/${id}/approve`).send({ contentHash }).expect(200);
    await t.as(op2).patch(`/v1/tenants/tenant-b/change-requests/${id}`).send({ value: 'public', reason: 'not mine' }).expect(403);
    const edited = await t
      .as(OPERATOR_TOKEN)
      .patch(`/v1/tenants/tenant-b/change-requests/${id}`)
      .send({ value: 'public', reason: 'audit rehearsal, public' })
      .expect(200);
    expect(edited.body.contentHash).not.toBe(contentHash);
    expect(edited.body.approvals).toEqual([]);
    expect(edited.body.revision).toBe(2);
    // The client admin saw the old content: refused.
    const stale = await t.as(clientB).post(`/v1/tenants/tenant-b/change-requests/${id}/approve`).send({ contentHash }).expect(409);
    expect(stale.body.details[0].rule).toBe('content_hash');
    const bad = await t
      .as(OPERATOR_TOKEN)
      .patch(`/v1/tenants/tenant-b/change-requests/${id}`)
      .send({ value: 'everyone', reason: 'typo' })
      .expect(400);
    expect(bad.body.details[0]).toMatchObject({ pointer: '/value', rule: 'enum' });
    // Client consent alone on the new content is not enough: the operator approval was dropped.
    const client = await t
      .as(clientB)
      .post(`/v1/tenants/tenant-b/change-requests/${id}/approve`)
      .send({ contentHash: edited.body.contentHash })
      .expect(200);
    expect(client.body.status).toBe('pending');
    const withdrawn = await t
      .as(OPERATOR_TOKEN)
      .post(`/v1/tenants/tenant-b/change-requests/${id}/withdraw`)
      .send({ reason: 'rehearsal cancelled' })
      .expect(200);
    expect(withdrawn.body.status).toBe('withdrawn');
    expect(await value('tenant-b', 'ballot_secrecy')).toBe('secret');
  });

  it('high options need one other operator; low options apply directly except for risk level 3 tenants', async () => {
    const high = await t
      .as(OPERATOR_TOKEN)
      .put('/v1/tenants/tenant-a/options/voter_list_export')
      .send({ value: true, reason: 'export for the office' })
      .expect(202);
    expect(high.body.required).toEqual({ operator: true, clientAdmin: false });
    const applied = await t
      .as(op2)
      .post(`/v1/tenants/tenant-a/change-requests/${high.body.id}/approve`)
      .send({ contentHash: high.body.contentHash })
      .expect(200);
    expect(applied.body.status).toBe('applied');
    expect(await value('tenant-a', 'voter_list_export')).toBe(true);

    const reset = await t
      .as(OPERATOR_TOKEN)
      .delete('/v1/tenants/tenant-a/options/voter_list_export')
      .send({ reason: 'export done' })
      .expect(202);
    expect(reset.body).toMatchObject({ operation: 'reset', status: 'pending' });
    expect(reset.body).not.toHaveProperty('value');
    await t
      .as(op2)
      .post(`/v1/tenants/tenant-a/change-requests/${reset.body.id}/approve`)
      .send({ contentHash: reset.body.contentHash })
      .expect(200);
    expect(await value('tenant-a', 'voter_list_export')).toBe(false);

    await t.as(OPERATOR_TOKEN).put('/v1/tenants/tenant-a/options/ui_language').send({ value: 'en', reason: 'english office' }).expect(200);
    const risky = await t
      .as(OPERATOR_TOKEN)
      .put('/v1/tenants/tenant-c/options/ui_language')
      .send({ value: 'en', reason: 'english office' })
      .expect(202);
    expect(risky.body.required).toEqual({ operator: true, clientAdmin: false });
    expect(await value('tenant-c', 'ui_language')).toBe('fr');
  });

  it('POST change-requests creates a request, refuses options that need none, validates the value', async () => {
    const made = await t
      .as(OPERATOR_TOKEN)
      .post('/v1/tenants/tenant-b/change-requests')
      .send({ option: 'admin_reopen_ballot', operation: 'set', value: true, reason: 'reopen after outage' })
      .expect(201);
    expect(made.body.status).toBe('pending');
    const low = await t
      .as(OPERATOR_TOKEN)
      .post('/v1/tenants/tenant-b/change-requests')
      .send({ option: 'ui_language', operation: 'set', value: 'en', reason: 'english' })
      .expect(422);
    expect(low.body.details[0].rule).toBe('approval_not_required');
    const before = await t.snapshot();
    const bad = await t
      .as(OPERATOR_TOKEN)
      .post('/v1/tenants/tenant-b/change-requests')
      .send({ option: 'admin_reopen_ballot', operation: 'set', value: 'yes', reason: 'typo' })
      .expect(400);
    expect(bad.body.details[0]).toMatchObject({ pointer: '/value', rule: 'type' });
    await t
      .as(OPERATOR_TOKEN)
      .post('/v1/tenants/tenant-b/change-requests')
      .send({ option: 'admin_reopen_ballot', operation: 'set', value: true, reason: 'x y z', tenant: 'tenant-a' })
      .expect(409);
    await t
      .as(clientB)
      .post('/v1/tenants/tenant-b/change-requests')
      .send({ option: 'admin_reopen_ballot', operation: 'set', value: true, reason: 'client wish' })
      .expect(403);
    await t.as(clientB).put('/v1/tenants/tenant-b/options/admin_reopen_ballot').send({ value: true, reason: 'client wish' }).expect(403);
    await t.as(OPERATOR_TOKEN).get('/v1/tenants/tenant-b/change-requests/not-a-request').expect(404);
    await t
      .as(OPERATOR_TOKEN)
      .post('/v1/tenants/tenant-b/change-requests/00000000-0000-4000-8000-000000000000/approve')
      .send({ contentHash: 'a'.repeat(64) })
      .expect(404);
    expect(await t.snapshot()).toEqual(before);
  });

  it('an approved request whose option changed meanwhile does not apply', async () => {
    const first = await t
      .as(OPERATOR_TOKEN)
      .put('/v1/tenants/tenant-b/options/credential_reset')
      .send({ value: 'strong_self_service', reason: 'self service' })
      .expect(202);
    const second = await t
      .as(op2)
      .put('/v1/tenants/tenant-b/options/credential_reset')
      .send({ value: 'hotline_with_office', reason: 'hotline' })
      .expect(202);
    await t
      .as(op2)
      .post(`/v1/tenants/tenant-b/change-requests/${first.body.id}/approve`)
      .send({ contentHash: first.body.contentHash })
      .expect(200);
    const late = await t
      .as(OPERATOR_TOKEN)
      .post(`/v1/tenants/tenant-b/change-requests/${second.body.id}/approve`)
      .send({ contentHash: second.body.contentHash })
      .expect(409);
    expect(late.body.details[0].rule).toBe('base_version');
    expect(await value('tenant-b', 'credential_reset')).toBe('strong_self_service');
    expect((await t.as(OPERATOR_TOKEN).get(`/v1/tenants/tenant-b/change-requests/${second.body.id}`).expect(200)).body.status).toBe(
      'pending',
    );
  });

  it('an expired request is marked expired (audited) and can no longer be approved', async () => {
    const res = await t
      .as(OPERATOR_TOKEN)
      .put('/v1/tenants/tenant-a/options/admin_results_during_vote')
      .send({ value: true, reason: 'live results' })
      .expect(202);
    await t.superuser((c) => c.query(`UPDATE change_requests SET expires_at = now() - interval '1 minute' WHERE id = $1`, [res.body.id]));
    expect((await t.as(op2).get(`/v1/tenants/tenant-a/change-requests/${res.body.id}`).expect(200)).body.status).toBe('expired');
    const late = await t
      .as(op2)
      .post(`/v1/tenants/tenant-a/change-requests/${res.body.id}/approve`)
      .send({ contentHash: res.body.contentHash })
      .expect(409);
    expect(late.body.details[0].rule).toBe('expired');
    const row = await t.superuser((c) => c.query('SELECT status, decided_by FROM change_requests WHERE id = $1', [res.body.id]));
    expect(row.rows[0]).toEqual({ status: 'expired', decided_by: 'cloison' });
    expect((await actions('tenant-a'))[0]).toBe('change_request.expired');
    expect(await value('tenant-a', 'admin_results_during_vote')).toBe(false);
  });

  it('stored values agree with the audit chains after approved change requests, online and offline', async () => {
    await expectValuesAttested(t, 2);
  });
});
