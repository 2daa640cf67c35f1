import { settled, type ConsoleHarness } from './support/console-harness.js';
import { seededConsole, type Seeded } from './support/seed.js';

describe('console: client admin journey', () => {
  let c: ConsoleHarness;
  let s: Seeded;
  seededConsole((harness, seeded) => {
    c = harness;
    s = seeded;
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

  it('the registry serves the words of each value, in the list and for one option', async () => {
    const labels = { en: 'After the vote closes', fr: 'Après la clôture du vote' };
    const list = (await c.t.as(s.clientAdmin).get('/v1/registry').expect(200)).body as {
      key: string;
      valueLabels?: Record<string, unknown>;
    }[];
    expect(list.find((d) => d.key === 'voter_results_visibility')?.valueLabels?.after_close).toEqual(labels);
    const one = await c.t.as(s.clientAdmin).get('/v1/registry/voter_results_visibility').expect(200);
    expect(one.body.valueLabels).toMatchObject({ after_close: labels, never: { en: 'Never', fr: 'Jamais' } });
  });

  it('shows, in French, what is enabled for the organisation: risky options first and highlighted, own settings marked', async () => {
    const page = await c.signIn(s.clientAdmin, 'fr');
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('Ce qui est activé pour mon organisation');
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
    const cards = page.locator('li.card');
    const risks = await cards.evaluateAll((els) => els.map((e) => /risk-(\w+)/.exec(e.className)?.[1]));
    expect(risks.length).toBe((await c.t.as(s.clientAdmin).get('/v1/registry')).body.length);
    expect(risks).toEqual(
      [...risks].sort((a, b) => ['critical', 'high', 'medium', 'low'].indexOf(a!) - ['critical', 'high', 'medium', 'low'].indexOf(b!)),
    );
    expect(await cards.first().getAttribute('class')).toContain('risky');
    const secrecy = page.locator('li.card[data-option=ballot_secrecy]');
    expect(await secrecy.locator('h3').textContent()).toContain('Secret du vote');
    expect(await secrecy.textContent()).toContain('défaut de la plateforme');
    const retention = page.locator('li.card[data-option=retention_days]');
    expect(await retention.locator('.card-value').textContent()).toBe('730 votre réglage');
    // Every value in words of the catalog, never its internal code.
    const value = (key: string) => page.locator(`li.card[data-option=${key}] .card-value strong`).textContent();
    expect(await value('ballot_secrecy')).toBe("Secret : personne ne peut voir le choix d'un électeur");
    expect(await value('voter_results_visibility')).toBe('Après la clôture du vote');
    expect(await value('schedule_change')).toBe("Seulement avant l'ouverture du vote");
    expect(await value('proxy_mode')).toBe('Une procuration au plus par électeur');
    expect(await value('scrutineer_scope')).toBe('Participation, Journal des événements');
    expect(await value('revote')).toBe('Activé');
    expect(await page.locator('li.card .card-value strong').allTextContents()).not.toContain('secret');
    await page.close();
  });

  it('shows the change history with before → after and the reason', async () => {
    const page = await c.signIn(s.clientAdmin);
    await settled(page);
    const row = page.locator('tr[data-option=retention_days]');
    expect(await row.locator('del').textContent()).toBe('365');
    expect(await row.locator('ins').textContent()).toBe('730');
    expect(await row.locator('.reason').textContent()).toBe('Reason: statutes art. 12');
    // Values in the same words as the cards: labels for choices, On/Off for switches.
    const proxy = page.locator('tr[data-option=proxy_mode]');
    expect([await proxy.locator('del').textContent(), await proxy.locator('ins').textContent()]).toEqual([
      'No proxy voting',
      'At most one proxy per voter',
    ]);
    const revote = page.locator('tr[data-option=revote]');
    expect([await revote.locator('del').textContent(), await revote.locator('ins').textContent()]).toEqual(['Off', 'On']);
    // Another organisation's history is not there.
    expect(await page.locator('tr[data-option=ui_language]').count()).toBe(0);
    await page.close();
  });

  it('never shows another organisation: its page answers as the API does, 404', async () => {
    const page = await c.signIn(s.clientAdmin);
    await page.goto(`${c.origin}/console/#/tenants/teachers-union`);
    await settled(page);
    const alert = page.getByRole('alert');
    expect(await alert.locator('.error-title').textContent()).toBe('Not found: it does not exist, or it is not yours to see.');
    expect(await alert.locator('.error-message').textContent()).toBe('404 Not Found: tenant "teachers-union" not found');
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
    expect(await item.textContent()).toContain('Administrators can see individual votes');
    expect(await item.textContent()).not.toContain('admin_visible');
    // Critical: the client's consent is owed, so the client admin may approve or reject.
    expect(await item.getByRole('button', { name: 'Approve' }).count()).toBe(1);
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

  it('offers no approval on a change that needs no client consent, only the rejection', async () => {
    const requested = await c.t
      .as(s.operator)
      .put('/v1/tenants/federation-abroad/options/schedule_change')
      .send({ value: 'anytime', reason: 'dates still moving' });
    expect(requested.status).toBe(202);
    expect(requested.body.required).toEqual({ operator: true, clientAdmin: false });
    const page = await c.signIn(s.clientAdmin);
    await settled(page);
    const item = page.locator('section[aria-labelledby=requests-title] li.request[data-option=schedule_change]');
    await item.waitFor();
    expect(await item.textContent()).toContain('At any time');
    expect(await item.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await item.locator('[data-note=not-needed]').textContent()).toBe('This change does not need your approval.');
    expect(await item.getByRole('button', { name: 'Reject' }).count()).toBe(1);
    await page.close();
  });
});
