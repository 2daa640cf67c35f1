import { ed25519Key } from './approval-keys.js';
import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, type TestApp } from './test-app.js';

/** What the second operator's signed approval leaves for the rest of a test: the request, the key, who signed. */
export interface SignedOperatorApproval {
  request: { id: string; contentHash: string };
  key: ReturnType<typeof ed25519Key>;
  approverId: string;
  tenantId: string;
}

/**
 * Four eyes at the vendor, signed: the first operator turns `option` on in `tenant` (a change that needs
 * approvals), the second enrols an Ed25519 key labelled `label` and approves with a signature. The request
 * then waits for whatever else it needs (the client's consent).
 */
export async function secondOperatorApproves(t: TestApp, tenant: string, option: string, label: string): Promise<SignedOperatorApproval> {
  const key = ed25519Key();
  await t.as(OPERATOR_TOKEN_2).post('/v1/me/credentials').send({ kind: 'ed25519', label, publicKey: key.publicKeyPem }).expect(201);
  const request = (
    await t
      .as(OPERATOR_TOKEN)
      .put(`/v1/tenants/${tenant}/options/${option}`)
      .send({ value: true, reason: 'the board asked for it' })
      .expect(202)
  ).body as { id: string; contentHash: string };
  const tenantId = (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/${tenant}`).expect(200)).body.id as string;
  const approverId = (await t.as(OPERATOR_TOKEN_2).get('/v1/me').expect(200)).body.id as string;
  const statement = {
    action: 'change_request.approve' as const,
    tenant: tenantId,
    subject: request.id,
    contentHash: request.contentHash,
    approver: approverId,
    at: new Date().toISOString(),
  };
  await t
    .as(OPERATOR_TOKEN_2)
    .post(`/v1/tenants/${tenant}/change-requests/${request.id}/approve`)
    .send({ contentHash: request.contentHash, signature: key.sign(statement) })
    .expect(200);
  return { request, key, approverId, tenantId };
}
