import { parsePublicKey } from '#audit-format';
import { verifyExport } from '#audit-format';
import type { VerifyResult } from '#audit-format';
import { OPERATOR_TOKEN, type TestApp } from './test-app.js';

/** Sets an option as the bootstrap operator; fails the test on anything but 200. */
export async function setOption(t: TestApp, tenant: string, key: string, value: unknown, token = OPERATOR_TOKEN): Promise<void> {
  const res = await t.as(token).put(`/v1/tenants/${tenant}/options/${key}`).send({ value, reason: 'test change' });
  if (res.status !== 200) throw new Error(`set ${tenant}/${key}: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function publicKeyOf(t: TestApp): Promise<string> {
  const res = await t.http.get('/v1/audit/public-key').expect(200);
  return res.body.publicKeyBase64 as string;
}

/** Export text (JSON Lines) of the global chain or of one tenant's. */
export async function exportText(t: TestApp, tenant?: string, token = OPERATOR_TOKEN): Promise<string> {
  const path = tenant ? `/v1/tenants/${tenant}/audit/export` : '/v1/audit/export';
  const res = await t
    .as(token)
    .get(path)
    .buffer(true)
    .parse((r, cb) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => (text += chunk));
      r.on('end', () => cb(null, text));
    });
  if (res.status !== 200) throw new Error(`export ${path}: ${res.status}`);
  return res.body as string;
}

/** Runs the offline verifier over an export, exactly as the CLI does. */
export async function verifyOffline(text: string, publicKeyBase64: string): Promise<VerifyResult> {
  return verifyExport(text.split('\n'), parsePublicKey(publicKeyBase64));
}

export async function verifyOnline(t: TestApp, tenant?: string, token = OPERATOR_TOKEN): Promise<VerifyResult> {
  const res = await t.as(token).get(tenant ? `/v1/tenants/${tenant}/audit/verify` : '/v1/audit/verify');
  if (res.status !== 200) throw new Error(`verify: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function checkpointNow(t: TestApp): Promise<void> {
  await t.as(OPERATOR_TOKEN).post('/v1/audit/checkpoints').expect(201);
}

/**
 * Every tenant's stored option values agree with what its audit chain implies, online (the
 * global verify route) and offline (the global export); at least `tenants` tenants compared.
 */
export async function expectValuesAttested(t: TestApp, tenants = 1): Promise<void> {
  const online = await verifyOnline(t);
  if (!online.ok || (online.valuesChecked ?? 0) < tenants) throw new Error(`online verification: ${JSON.stringify(online)}`);
  const key = await publicKeyOf(t);
  const offline = await verifyOffline(await exportText(t), key);
  if (!offline.ok || (offline.valuesChecked ?? 0) < tenants) throw new Error(`offline verification: ${JSON.stringify(offline)}`);
}
