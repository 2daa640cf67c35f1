// Produces the console screenshots shown in docs/console.md (npm run screenshots); not part of the test suite.
import { mkdirSync } from 'node:fs';
import { startConsole, settled, type ConsoleHarness } from './support/console-harness.js';
import { seed } from './support/seed.js';
import { OPERATOR_TOKEN_2 } from '../support/test-app.js';

const VIEWPORT = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

describe('console screenshots', () => {
  let c: ConsoleHarness;
  beforeAll(async () => {
    c = await startConsole();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('writes each role’s main screens to docs/console-*.png', async () => {
    const s = await seed(c.t);
    const op = c.t.as(s.operator);
    await op.put('/v1/tenants/federation-abroad/options/voter_receipt').send({ value: 'none', reason: 'receipts confused voters in 2025' });
    await op.put('/v1/tenants/federation-abroad/options/retention_days').send({ value: 1095, reason: 'statutes amended on 2 June' });
    // Goes to approval where the server has change control; applied or refused elsewhere.
    await op
      .put('/v1/tenants/federation-abroad/options/scrutineer_scope')
      .send({ value: ['turnout', 'event_log', 'emargement'], reason: 'polling office decision of 12 May' });
    // A dangerous value in force (two operators), a critical change waiting for consent, a seal proposed.
    const exported = (
      await op.put('/v1/tenants/federation-abroad/options/voter_list_export').send({ value: true, reason: 'bailiff audit of the roll' })
    ).body;
    await c.t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/federation-abroad/change-requests/${exported.id}/approve`)
      .send({ contentHash: exported.contentHash });
    const secrecy = (
      await op
        .put('/v1/tenants/federation-abroad/options/ballot_secrecy')
        .send({ value: 'admin_visible', reason: 'support needs to see votes' })
    ).body;
    await c.t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/federation-abroad/change-requests/${secrecy.id}/approve`)
      .send({ contentHash: secrecy.contentHash });
    await op.post('/v1/tenants/teachers-union/seals').send({ label: 'General assembly 2027' });
    mkdirSync('docs', { recursive: true });

    const operator = await c.signIn(s.operator, 'en', VIEWPORT);
    await operator.goto(`${c.origin}/console/#/tenants/federation-abroad`);
    await settled(operator);
    // The panel of pending requests fills in after the options table.
    await operator.locator('li.request').first().waitFor();
    await operator.screenshot({ path: 'docs/console-operator.png' });

    const admin = await c.signIn(s.clientAdmin, 'fr', VIEWPORT);
    await settled(admin);
    await admin.locator('li.request').first().waitFor();
    await admin.screenshot({ path: 'docs/console-client-admin.png' });

    const shot = async (token: string, lang: 'en' | 'fr', viewport: { width: number; height: number }, hash: string, path: string) => {
      const page = await c.signIn(token, lang, viewport);
      await page.goto(`${c.origin}/console/${hash}`);
      await settled(page);
      await page.screenshot({ path });
      await page.close();
    };
    await shot(OPERATOR_TOKEN_2, 'en', VIEWPORT, '#/inbox', 'docs/console-inbox.png');
    await shot(s.operator, 'en', VIEWPORT, '#/tenants', 'docs/console-tenants.png');
    await shot(s.operator, 'en', VIEWPORT, '#/exposure', 'docs/console-exposure.png');
    await shot(s.clientAdmin, 'fr', VIEWPORT, '#/audit', 'docs/console-history-fr.png');
    await shot(s.clientAdmin, 'fr', PHONE, '#/inbox', 'docs/console-client-admin-phone.png');

    const reviewer = await c.signIn(s.compliance, 'en', VIEWPORT);
    await settled(reviewer);
    await reviewer.getByRole('button', { name: 'Verify the chain' }).click();
    await reviewer.locator('.verify-result p').waitFor();
    await reviewer.screenshot({ path: 'docs/console-compliance.png' });
  });
});
