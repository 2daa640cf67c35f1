// Produces the console screenshots shown in docs/console.md (npm run screenshots); not part of the test suite.
import { mkdirSync } from 'node:fs';
import { startConsole, settled, type ConsoleHarness } from './support/console-harness.js';
import { seed } from './support/seed.js';

const VIEWPORT = { width: 1280, height: 1000 };

describe('console screenshots', () => {
  let c: ConsoleHarness;
  beforeAll(async () => {
    c = await startConsole();
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('writes docs/console-operator.png, docs/console-client-admin.png and docs/console-compliance.png', async () => {
    const s = await seed(c.t);
    const op = c.t.as(s.operator);
    await op.put('/v1/tenants/federation-abroad/options/voter_receipt').send({ value: 'none', reason: 'receipts confused voters in 2025' });
    await op.put('/v1/tenants/federation-abroad/options/retention_days').send({ value: 1095, reason: 'statutes amended on 2 June' });
    // Goes to approval where the server has change control; applied or refused elsewhere.
    await op.put('/v1/tenants/federation-abroad/options/scrutineer_scope').send({ value: ['turnout', 'event_log', 'emargement'], reason: 'polling office decision of 12 May' });
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

    const reviewer = await c.signIn(s.compliance, 'en', VIEWPORT);
    await settled(reviewer);
    await reviewer.getByRole('button', { name: 'Verify the chain' }).click();
    await reviewer.locator('.verify-result p').waitFor();
    await reviewer.screenshot({ path: 'docs/console-compliance.png' });
  });
});
