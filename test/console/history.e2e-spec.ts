import type { Page } from 'playwright-core';
import { settled, type ConsoleHarness } from './support/console-harness.js';
import { seededConsole, type Seeded } from './support/seed.js';

const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

describe('console: history people can read', () => {
  let c: ConsoleHarness;
  let s: Seeded;
  seededConsole((harness, seeded) => {
    c = harness;
    s = seeded;
  });

  const sentences = (page: Page) => page.locator('tbody tr .sentence').allTextContents();
  const apply = async (page: Page, url: RegExp) => {
    await page.getByRole('button', { name: /Apply filters|Appliquer les filtres/ }).click();
    await page.waitForURL(url);
    await settled(page);
  };

  it('tells each event as a sentence with names, roles, option titles and values in words, never codes', async () => {
    const page = await c.signIn(s.compliance, 'en', DESKTOP);
    const said = await sentences(page);
    expect(said).toContain('bootstrap operator (operator) changed “Maximum proxies per voter” from “0” to “2”');
    expect(said).toContain('bootstrap operator (operator) changed “Proxy voting” from “No proxy voting” to “At most one proxy per voter”');
    expect(said).toContain('bootstrap operator (operator) changed “Voting again” from “Off” to “On”');
    expect(said).toContain('bootstrap operator (operator) created the organisation');
    const main = (await page.locator('main table').textContent()) ?? '';
    for (const code of ['option.set', 'tenant.created', 'client_admin', 'one_per_voter', 'false → true']) expect(main).not.toContain(code);
    // Fewer events than a page: nothing older to show, so no button.
    expect(await page.getByRole('button', { name: 'Show older events' }).count()).toBe(0);
    await page.close();
  });

  it('filters by event, by words and by person picked by name; the filters stay in the address', async () => {
    const page = await c.signIn(s.compliance, 'en', DESKTOP);
    await page.getByLabel('Words to find').fill('STATUTES');
    await apply(page, /q=STATUTES/);
    expect((await page.locator('tbody tr .reason').allTextContents()).sort()).toEqual([
      'Reason: statutes art. 12',
      'Reason: statutes art. 7',
    ]);
    await page.goto(`${c.origin}/console/#/audit`);
    await settled(page);
    await page.getByLabel('Event').selectOption('tenant.created');
    await apply(page, /action=tenant.created/);
    expect(await sentences(page)).toEqual([
      'bootstrap operator (operator) created the organisation',
      'bootstrap operator (operator) created the organisation',
    ]);
    // The person picker offers names and roles; the address carries the id, the page never shows it.
    const people = await page.getByLabel('Person').locator('option').allTextContents();
    expect(people).toContain('bootstrap operator (operator)');
    expect(people.join(' ')).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
    await page.close();
  });

  it('offers older events only while there are more, and drops the button at the end', async () => {
    for (let i = 0; i < 52; i += 1) {
      await c.t
        .as(s.operator)
        .put('/v1/tenants/teachers-union/options/max_proxies')
        .send({ value: i % 2 ? 1 : 3, reason: `rehearsal ${i}` })
        .expect(200);
    }
    const page = await c.signIn(s.compliance, 'en', DESKTOP);
    await page.getByLabel('Tenant').selectOption('teachers-union');
    await apply(page, /tenant=teachers-union/);
    expect(await page.locator('tbody tr').count()).toBe(50);
    await page.getByRole('button', { name: 'Show older events' }).click();
    await page.getByRole('button', { name: 'Show older events' }).waitFor({ state: 'detached' });
    const total = (await c.t.as(s.operator).get('/v1/tenants/teachers-union/audit?limit=500')).body.items.length;
    expect(await page.locator('tbody tr').count()).toBe(total);
    await page.close();
  });

  it('gives the client admin its history in French, and each option its own timeline', async () => {
    const page = await c.signIn(s.clientAdmin, 'fr', DESKTOP);
    await page.getByRole('navigation').getByRole('link', { name: 'Historique' }).click();
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('Historique des modifications');
    expect(await sentences(page)).toContain(
      'bootstrap operator (opérateur) a modifié « Durée de conservation des données » de « 365 » à « 730 »',
    );
    expect(await page.locator('main').textContent()).not.toContain('Teachers union');
    await page.goto(`${c.origin}/console/#/org`);
    await settled(page);
    await page.locator('li.card[data-option=proxy_mode] h3 a').click();
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('Vote par procuration Moyen');
    expect(await page.locator('.option-now .card-value').textContent()).toBe(
      'Valeur actuelle : Une procuration au plus par électeur client',
    );
    const timeline = page.locator('section[aria-labelledby=option-history] tbody tr');
    expect(await timeline.evaluateAll((rows) => [...new Set(rows.map((r) => r.getAttribute('data-option')))])).toEqual(['proxy_mode']);
    expect(await timeline.locator('.reason').allTextContents()).toEqual(['Motif : general assembly of 3 March']);
    await page.close();
  });

  it('fits a phone: filters within 390 px, each cell of the log labelled', async () => {
    const page = await c.signIn(s.compliance, 'en', PHONE);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const form = await page.locator('form.filters').boundingBox();
    expect(form!.x + form!.width).toBeLessThanOrEqual(390);
    const labels = await page.evaluate<string[]>(
      "[...document.querySelectorAll('tbody tr:first-child td')].map((td) => getComputedStyle(td, '::before').content)",
    );
    expect(labels.slice(0, 3)).toEqual(['"#"', '"When"', '"Tenant"']);
    await page.close();
  });
});
