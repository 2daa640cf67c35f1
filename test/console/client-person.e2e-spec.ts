import { OPERATOR_TOKEN, OPERATOR_TOKEN_2, createTenant } from '../support/test-app.js';
import { startConsole, type ConsoleHarness } from './support/console-harness.js';

/**
 * A client admin an operator made before the client joined is that operator's login: the API refuses
 * its consent (403 client_person), so the console offers it no approve button, says why, and shows an
 * approval kept from before the rule as not the client's.
 */
describe('console: a client admin who does not act for the client', () => {
  let c: ConsoleHarness;
  let login: string;
  let loginName: string;
  let request: { id: string; contentHash: string };

  beforeAll(async () => {
    c = await startConsole();
    await createTenant(c.t, 'setting-up');
    const made = await c.t
      .as(OPERATOR_TOKEN)
      .post('/v1/principals')
      .send({ name: 'Setup admin', role: 'client_admin', tenant: 'setting-up' })
      .expect(201);
    login = made.body.token;
    loginName = 'Setup admin';
    // Filed by the other operator: the lineage rule alone would let the set-up admin approve.
    request = (
      await c.t
        .as(OPERATOR_TOKEN_2)
        .put('/v1/tenants/setting-up/options/admin_can_view_credentials')
        .send({ value: true, reason: 'support case' })
        .expect(202)
    ).body;
    await c.t.as(OPERATOR_TOKEN_2).post('/v1/tenants/setting-up/seals').send({ label: 'election', requiredApprovals: 2 }).expect(201);
  });
  afterAll(async () => {
    await c?.stop();
  });

  const texts = {
    en: {
      why: 'Your approval would not count as the client’s consent: your access was made by someone at the vendor, not by the organisation’s own administrator.',
      kept: (maker: string) => `${loginName}’s approval does not count as the client’s consent: made by ${maker}`,
    },
    fr: {
      why: 'Votre approbation ne compterait pas comme le consentement du client : votre accès a été créé par une personne du fournisseur, non par l’administrateur de l’organisation elle-même.',
      kept: (maker: string) => `L’approbation de ${loginName} ne compte pas comme le consentement du client : créé par ${maker}`,
    },
  };

  for (const lang of ['en', 'fr'] as const) {
    it(`offers no approve button on the request or the seal, and says why (${lang})`, async () => {
      // Its home: the organisation's page, with its requests and its seal.
      const page = await c.signIn(login, lang);
      const card = page.locator(`li.request[data-request="${request.id}"]`);
      await card.waitFor();
      expect(await card.locator('[data-note="client-person"]').textContent()).toBe(texts[lang].why);
      expect(await card.locator('button.primary').count()).toBe(0);
      const note = page.locator('section[aria-labelledby="seal-title"] [data-note="client-person"]');
      expect(await note.textContent()).toBe(texts[lang].why);
      expect(await page.locator('[data-seal-status="proposed"]').count()).toBe(1);
      expect(await page.locator('.seal-action').count()).toBe(0);
      await page.close();
    });
  }

  it('shows an approval kept from before the rule as not the client’s consent, with who made its author (EN, FR)', async () => {
    const setup = (await c.t.as(login).get('/v1/me').expect(200)).body;
    const maker = (await c.t.as(OPERATOR_TOKEN).get('/v1/me').expect(200)).body.name;
    await c.t.superuser((db) =>
      db.query(
        `INSERT INTO change_request_approvals (request_id, tenant_id, principal_id, principal_name, role, content_hash, approved_at)
       SELECT id, tenant_id, $2, $3, 'client_admin', content_hash, now() FROM change_requests WHERE id = $1`,
        [request.id, setup.id, setup.name],
      ),
    );
    for (const lang of ['en', 'fr'] as const) {
      const page = await c.signIn(OPERATOR_TOKEN, lang);
      await page.goto(`${c.origin}/console/#/tenants/setting-up`);
      const card = page.locator(`li.request[data-request="${request.id}"]`);
      await card.waitFor();
      expect(await card.locator('[data-note="not-for-client"]').textContent()).toBe(texts[lang].kept(maker));
      // The client's step is still awaited: the kept approval does not fill it.
      expect(await card.locator('[data-step="clientAdmin"]').getAttribute('class')).toBe('step step-waiting');
      await page.close();
    }
  });
});
