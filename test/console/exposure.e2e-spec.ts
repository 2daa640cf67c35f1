import { OPERATOR_TOKEN_2 } from '../support/test-app.js';
import { settled, type ConsoleHarness } from './support/console-harness.js';
import { seededConsole, type Seeded } from './support/seed.js';

describe('console: exposure at a glance', () => {
  let c: ConsoleHarness;
  let s: Seeded;
  let approver: string;
  seededConsole((harness, seeded) => {
    c = harness;
    s = seeded;
  });
  beforeAll(async () => {
    approver = (await c.t.as(OPERATOR_TOKEN_2).get('/v1/me').expect(200)).body.name;
    const asked = (
      await c.t
        .as(s.operator)
        .put('/v1/tenants/federation-abroad/options/voter_list_export')
        .send({ value: true, reason: 'bailiff audit' })
        .expect(202)
    ).body;
    await c.t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/federation-abroad/change-requests/${asked.id}/approve`)
      .send({ contentHash: asked.contentHash })
      .expect(200);
  });

  it('shows which tenants have which risky option on, since when and approved by whom; defaults are no exposure', async () => {
    const page = await c.signIn(s.operator, 'en', { width: 1366, height: 900 });
    await page.getByRole('navigation').getByRole('link', { name: 'Exposure' }).click();
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('Exposure at a glance');
    const bar = page.locator('.bars li[data-option=voter_list_export]');
    expect(await bar.textContent()).toBe('Export the electoral roll1 of 2');
    expect(await bar.locator('.bar-fill').evaluate((e) => e.getBoundingClientRect().width)).toBeGreaterThan(0);
    expect(await page.locator('.bars li').count()).toBe(1);
    expect(await page.locator('main').textContent()).not.toContain('Changing the voting schedule');
    const row = page.locator('tr[data-option=voter_list_export][data-tenant=federation-abroad] td');
    const cells = await row.allTextContents();
    expect(cells[0]).toBe('Federation of members abroad');
    expect(cells[1]).toBe('OnRisky value: differs from the safe default');
    expect(cells[2]).toMatch(/^\d+ \w+ \d{4}, \d\d:\d\d$/);
    expect(cells.slice(3)).toEqual(['bootstrap operator', `${approver} (operator)`, 'none']);
    await page.close();
  });

  it('reads in French on a phone for the compliance reviewer, within the screen', async () => {
    const page = await c.signIn(s.compliance, 'fr', { width: 390, height: 844 });
    await page.goto(`${c.origin}/console/#/exposure`);
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('L’exposition en un coup d’œil');
    expect(await page.locator('.bars li .bar-value').allTextContents()).toEqual(['1 sur 2']);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.close();
  });
});
