import { startConsole, settled, type ConsoleHarness } from './support/console-harness.js';
import { seed, type Seeded } from './support/seed.js';

describe('console: client admin journey', () => {
  let c: ConsoleHarness;
  let s: Seeded;
  beforeAll(async () => {
    c = await startConsole();
    s = await seed(c.t);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('GET /v1/me names the caller and its tenant; the console needs nothing else to pick the views', async () => {
    expect((await c.t.as(s.clientAdmin).get('/v1/me')).body).toEqual({
      id: expect.any(String),
      name: 'President, federation abroad',
      role: 'client_admin',
      tenant: 'federation-abroad',
    });
    expect((await c.t.as(s.compliance).get('/v1/me')).body).toMatchObject({ role: 'compliance', tenant: null });
    expect((await c.t.http.get('/v1/me')).status).toBe(401);
  });

  it('shows, in French, what is enabled for the organisation: risky options first and highlighted, own settings marked', async () => {
    const page = await c.signIn(s.clientAdmin, 'fr');
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('Ce qui est activé pour mon organisation');
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    const cards = page.locator('li.card');
    const risks = await cards.evaluateAll((els) => els.map((e) => /risk-(\w+)/.exec(e.className)?.[1]));
    expect(risks.length).toBe((await c.t.as(s.clientAdmin).get('/v1/registry')).body.length);
    expect(risks).toEqual([...risks].sort((a, b) => ['critical', 'high', 'medium', 'low'].indexOf(a!) - ['critical', 'high', 'medium', 'low'].indexOf(b!)));
    expect(await cards.first().getAttribute('class')).toContain('risky');
    const secrecy = page.locator('li.card[data-option=ballot_secrecy]');
    expect(await secrecy.locator('h3').textContent()).toContain('Secret du vote');
    expect(await secrecy.textContent()).toContain('défaut de la plateforme');
    const retention = page.locator('li.card[data-option=retention_days]');
    expect(await retention.locator('.card-value').textContent()).toBe('730 votre réglage');
    await page.close();
  });

  it('shows the change history with before → after and the reason', async () => {
    const page = await c.signIn(s.clientAdmin);
    await settled(page);
    const row = page.locator('tr[data-option=retention_days]');
    expect(await row.locator('del').textContent()).toBe('365');
    expect(await row.locator('ins').textContent()).toBe('730');
    expect(await row.locator('.reason').textContent()).toBe('Reason: statutes art. 12');
    // Another organisation's history is not there.
    expect(await page.locator('tr[data-option=ui_language]').count()).toBe(0);
    await page.close();
  });

  it('never shows another organisation: its page answers as the API does, 404', async () => {
    const page = await c.signIn(s.clientAdmin);
    await page.goto(`${c.origin}/console/#/tenants/teachers-union`);
    await settled(page);
    const alert = page.getByRole('alert');
    expect(await alert.locator('.error-title').textContent()).toBe('The server refused: 404 Not Found');
    expect(await alert.locator('.error-message').textContent()).toBe('tenant "teachers-union" not found');
    expect(await page.locator('main').textContent()).not.toContain('Teachers union');
    await page.close();
  });

  it('works on a phone: one column, nothing wider than the screen', async () => {
    const page = await c.signIn(s.clientAdmin, 'en', { width: 390, height: 844 });
    await settled(page);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const [a, b] = await page.locator('li.card').evaluateAll((els) => els.slice(0, 2).map((e) => e.getBoundingClientRect().left));
    expect(a).toBe(b);
    await page.close();
  });

  it('rejects a critical change waiting for its consent (or says plainly the server has no approvals)', async () => {
    const requested = await c.t
      .as(s.operator)
      .put('/v1/tenants/federation-abroad/options/ballot_secrecy')
      .send({ value: 'admin_visible', reason: 'support needs to see votes' });
    const page = await c.signIn(s.clientAdmin);
    await settled(page);
    const panel = page.locator('section[aria-labelledby=requests-title]');
    if (requested.status !== 202) {
      // No change control on this server: a critical PUT is refused or applied, and the panel says it has no approvals.
      await panel.locator('[data-feature=change-requests-unavailable]').waitFor();
      expect(await panel.textContent()).toContain('Change approvals are not available on this server.');
      await page.close();
      return;
    }
    const item = panel.locator('li.request[data-option=ballot_secrecy]');
    expect(await item.textContent()).toContain('admin_visible');
    await item.getByRole('button', { name: 'Reject' }).click();
    await item.getByLabel('Why do you reject it?').fill('we keep the ballot secret');
    await item.getByRole('button', { name: 'Confirm rejection' }).click();
    await page.locator('#status', { hasText: 'Rejected.' }).waitFor();
    const after = await c.t.as(s.operator).get(`/v1/tenants/federation-abroad/change-requests/${requested.body.id}`);
    expect(after.body).toMatchObject({ status: 'rejected', decisionReason: 'we keep the ballot secret' });
    const option = await c.t.as(s.operator).get('/v1/tenants/federation-abroad/options/ballot_secrecy');
    expect(option.body).toMatchObject({ value: 'secret', source: 'default' });
    await page.close();
  });
});
