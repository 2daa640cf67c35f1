import { parsePublicKey, sealContentHash, verifyExport } from '#audit-format';
import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createTenant, outboxCode, sendInvitation } from '../support/test-app.js';
import { checkpointNow, exportText, publicKeyOf } from '../support/audit-helpers.js';
import { secondOperatorApproves } from '../support/operator-approval.js';
import { settled, virtualAuthenticator } from './support/console-harness.js';
import { signInAtProvider, startOidcConsole, type OidcConsole } from './support/oidc-console.js';

/**
 * The whole story with the organisation's identity provider: the client's president accepts the
 * invitation with their own account at the provider, enrols a passkey in the console, and signs
 * their consent to a critical change with it; the tenant's export verifies offline and names the
 * approval as signed by that passkey.
 */
describe('console: signed consent by a person signed in through the OpenID provider', () => {
  let o: OidcConsole;
  beforeAll(async () => {
    o = await startOidcConsole();
    // Risk level 3: unsigned approvals of critical options are refused (signed approvals from level 2).
    await createTenant(o.c.t, 'federation-abroad', 3);
    await createTenant(o.c.t, 'federation-fr', 3);
  }, 180_000);
  afterAll(async () => {
    await o?.stop();
  });

  it.each([
    ['en', 'federation-abroad', 'admin_can_view_credentials'],
    ['fr', 'federation-fr', 'edit_electors_after_seal'],
  ] as const)('accepts the invitation at the provider, enrols a passkey, signs consent with it (%s)', async (lang, slug, option) => {
    const t = o.c.t;
    const email = `president-${lang}@federation.example`;
    const name = `President ${lang}, ${slug}`;
    await sendInvitation(t, slug, { email, name });
    await o.c.browser.clearCookies();
    const page = await o.c.open(lang);
    await virtualAuthenticator(page);
    await signInAtProvider(page, `president-${lang}`, async () => {
      await page.locator('.sign-in-provider details summary').click();
      await page.locator('input[name=invitation]').fill(outboxCode(t, email));
      await page.locator('form[data-form=invitation] button[type=submit]').click();
    });
    await page.locator('header .who').waitFor();
    await page.waitForURL(/#\/org/);
    await settled(page);
    expect(await page.locator('header .who').innerText()).toContain(name);

    // The passkey, enrolled in the console with the cookie session (and its CSRF token).
    const panel = page.locator('section[data-panel=passkeys]');
    await panel.locator('button[data-action=add-passkey]').click();
    await panel.locator('[data-list=passkeys] li').first().waitFor();
    const me = (await t.superuser((c) => c.query('SELECT id FROM principals WHERE oidc_subject = $1', [`president-${lang}`]))).rows[0].id;
    const keys = (await t.superuser((c) => c.query('SELECT fingerprint, kind FROM credentials WHERE principal_id = $1', [me]))).rows;
    expect(keys).toEqual([{ fingerprint: expect.stringMatching(/^sha256:/), kind: 'webauthn' }]);
    const passkey = keys[0].fingerprint as string;

    // Four eyes at the vendor: one operator asks, the other approves with a signature of their own.
    const {
      request: requested,
      key: op,
      approverId: opId,
      tenantId,
    } = await secondOperatorApproves(t, slug, option, `second operator ${lang}`);

    // The client's consent, in the console, signed with the passkey.
    await page.reload();
    await settled(page);
    const item = page.locator(`section[aria-labelledby=requests-title] li.request[data-option=${option}]`);
    await item.locator('button', { hasText: lang === 'en' ? 'Approve' : 'Approuver' }).click();
    await item.locator('button.primary').click();
    await item.waitFor({ state: 'detached' });
    const after = (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/${slug}/change-requests/${requested.id}`).expect(200)).body;
    expect(after.status).toBe('applied');

    // Offline: the export verifies with the published key alone and names the passkey as the signer.
    await checkpointNow(t);
    const result = await verifyExport((await exportText(t, slug)).split('\n'), parsePublicKey(await publicKeyOf(t)));
    expect(result.ok).toBe(true);
    // Every approval of it verifies from the tenant's export alone, the operator's too (its key introduced into the chain).
    expect(result.approvals.filter((a) => a.subject === requested.id).map((a) => a.status)).not.toContain('unchecked');
    expect(
      result.approvals.filter((a) => a.subject === requested.id && a.status === 'signed' && a.approver.role === 'client_admin'),
    ).toEqual([expect.objectContaining({ key: passkey, kind: 'webauthn', approver: expect.objectContaining({ name }) })]);
    if (lang === 'en') {
      // A seal in a tenant that requires signatures: the president's approval in the console is signed
      // with the passkey too (unsigned, the service refuses it).
      const seal = (await t.as(OPERATOR_TOKEN).post(`/v1/tenants/${slug}/seals`).send({ label: 'general assembly 2027' }).expect(201)).body;
      const refused = await t.as(OPERATOR_TOKEN_2).post(`/v1/tenants/${slug}/seals/${seal.id}/approve`).send({});
      expect(refused.body.details?.[0]?.rule).toBe('signature_required');
      const sealStatement = {
        action: 'seal.approve' as const,
        tenant: tenantId,
        subject: seal.id,
        approver: opId,
        at: new Date().toISOString(),
        contentHash: sealContentHash(
          { tenantId: tenantId, id: seal.id, label: seal.label, requiredApprovals: seal.requiredApprovals },
          'activate',
          null,
        ),
      };
      await t
        .as(OPERATOR_TOKEN_2)
        .post(`/v1/tenants/${slug}/seals/${seal.id}/approve`)
        .send({ signature: op.sign(sealStatement) })
        .expect(200);
      await page.reload();
      await settled(page);
      const panel = page.locator('section[aria-labelledby=seal-title]');
      await panel.getByRole('button', { name: 'Approve the seal' }).click();
      await panel.getByRole('button', { name: 'Confirm approval' }).click();
      await page.locator('section[aria-labelledby=seal-title] [data-seal-status=active]').waitFor();
      const after = (await t.as(OPERATOR_TOKEN).get(`/v1/tenants/${slug}/seals/${seal.id}`).expect(200)).body;
      expect(after.status).toBe('active');
      await checkpointNow(t);
      const sealed = await verifyExport((await exportText(t, slug)).split('\n'), parsePublicKey(await publicKeyOf(t)));
      expect(sealed.ok).toBe(true);
      // Every approval of it verifies from the tenant's export alone, the operator's too (its key introduced into the chain).
      expect(sealed.approvals.filter((a) => a.subject === seal.id).map((a) => a.status)).not.toContain('unchecked');
      expect(sealed.approvals.filter((a) => a.subject === seal.id && a.status === 'signed' && a.approver.role === 'client_admin')).toEqual([
        expect.objectContaining({ key: passkey, kind: 'webauthn', action: 'seal.approved' }),
      ]);
    }
    await page.close();
  });
});
