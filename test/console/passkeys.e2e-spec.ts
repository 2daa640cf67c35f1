import { parsePublicKey } from '#audit-format';
import { verifyExport } from '#audit-format';
import { checkpointNow, exportText, publicKeyOf } from '../support/audit-helpers.js';
import { secondOperatorApproves } from '../support/operator-approval.js';
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
    const { request: requested } = await secondOperatorApproves(c.t, 'federation-abroad', option, `automation ${lang}`);

    await page.reload();
    await settled(page);
    const item = page.locator(`section[aria-labelledby=requests-title] li.request[data-option=${option}]`);
    await item.locator('button', { hasText: lang === 'en' ? 'Approve' : 'Approuver' }).click();
    await item.locator('button.primary').click();
    await page.locator(`section[aria-labelledby=requests-title] li.request[data-option=${option}]`).waitFor({ state: 'detached' });
    const after = (await c.t.as(s.operator).get(`/v1/tenants/federation-abroad/change-requests/${requested.id}`).expect(200)).body;
    expect(after.status).toBe('applied');

    await checkpointNow(c.t);
    const result = await verifyExport((await exportText(c.t, 'federation-abroad')).split('\n'), parsePublicKey(await publicKeyOf(c.t)));
    expect(result.ok).toBe(true);
    // Every approval of it verifies from the tenant's export alone, the operator's too (its key introduced into the chain).
    expect(result.approvals.filter((a) => a.subject === requested.id).map((a) => a.status)).not.toContain('unchecked');
    expect(
      result.approvals.filter((a) => a.subject === requested.id && a.status === 'signed' && a.approver.role === 'client_admin'),
    ).toEqual([
      expect.objectContaining({
        key: passkey.fingerprint,
        kind: 'webauthn',
        approver: expect.objectContaining({ name: 'President, federation abroad' }),
      }),
    ]);
    await page.close();
  });
});
