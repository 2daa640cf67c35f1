import { parsePublicKey } from '#audit-format';
import { verifyExport } from '#audit-format';
import { OPERATOR_TOKEN_2 } from '../support/test-app.js';
import { checkpointNow, exportText, publicKeyOf } from '../support/audit-helpers.js';
import { ed25519Key } from '../support/approval-keys.js';
import { startConsole, settled, virtualAuthenticator, type ConsoleHarness } from './support/console-harness.js';
import { seed, type Seeded } from './support/seed.js';

/**
 * A client admin enrols a passkey in the console (Chromium's virtual authenticator) and consents
 * to a critical change with it; the export verifies offline and names the passkey as the signer.
 */
describe('console: passkeys and signed consent', () => {
  let c: ConsoleHarness;
  let s: Seeded;
  beforeAll(async () => {
    c = await startConsole({ passkeys: true });
    s = await seed(c.t);
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  it.each(['en', 'fr'] as const)('enrols a passkey and signs the consent to a critical change with it (%s)', async (lang) => {
    const option = lang === 'en' ? 'admin_can_view_credentials' : 'edit_electors_after_seal';
    const page = await c.signIn(s.clientAdmin, lang);
    await virtualAuthenticator(page);
    const panel = page.locator('section[data-panel=passkeys]');
    const before = (await c.t.as(s.clientAdmin).get('/v1/me/credentials').expect(200)).body.length as number;
    await panel.locator('button[data-action=add-passkey]').click();
    await panel.locator('[data-list=passkeys] li').nth(before).waitFor();
    const enrolled = (await c.t.as(s.clientAdmin).get('/v1/me/credentials').expect(200)).body as { fingerprint: string; kind: string }[];
    const passkey = enrolled.at(-1) as { fingerprint: string; kind: string };
    expect(passkey.kind).toBe('webauthn');

    // The operator's side of the four eyes, signed with an Ed25519 key.
    const op = ed25519Key();
    await c.t
      .as(OPERATOR_TOKEN_2)
      .post('/v1/me/credentials')
      .send({ kind: 'ed25519', label: `automation ${lang}`, publicKey: op.publicKeyPem })
      .expect(201);
    const requested = await c.t
      .as(s.operator)
      .put(`/v1/tenants/federation-abroad/options/${option}`)
      .send({ value: true, reason: 'the board asked for it' })
      .expect(202);
    const tenant = (await c.t.as(s.operator).get('/v1/tenants/federation-abroad').expect(200)).body;
    const opId = (await c.t.as(OPERATOR_TOKEN_2).get('/v1/me').expect(200)).body.id;
    const statement = {
      action: 'change_request.approve' as const,
      tenant: tenant.id,
      subject: requested.body.id,
      contentHash: requested.body.contentHash,
      approver: opId,
      at: new Date().toISOString(),
    };
    await c.t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/federation-abroad/change-requests/${requested.body.id}/approve`)
      .send({ contentHash: requested.body.contentHash, signature: op.sign(statement) })
      .expect(200);

    await page.reload();
    await settled(page);
    const item = page.locator(`section[aria-labelledby=requests-title] li.request[data-option=${option}]`);
    await item.locator('button', { hasText: lang === 'en' ? 'Approve' : 'Approuver' }).click();
    await item.locator('button.primary').click();
    await page.locator(`section[aria-labelledby=requests-title] li.request[data-option=${option}]`).waitFor({ state: 'detached' });
    const after = (await c.t.as(s.operator).get(`/v1/tenants/federation-abroad/change-requests/${requested.body.id}`).expect(200)).body;
    expect(after.status).toBe('applied');

    await checkpointNow(c.t);
    const result = await verifyExport((await exportText(c.t, 'federation-abroad')).split('\n'), parsePublicKey(await publicKeyOf(c.t)));
    expect(result.ok).toBe(true);
    expect(result.approvals.filter((a) => a.subject === requested.body.id && a.status === 'signed')).toEqual([
      expect.objectContaining({
        key: passkey.fingerprint,
        kind: 'webauthn',
        approver: expect.objectContaining({ name: 'President, federation abroad' }),
      }),
    ]);
    await page.close();
  });
});
