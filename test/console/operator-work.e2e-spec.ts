import { settled, type ConsoleHarness } from './support/console-harness.js';
import { seededConsole, type Seeded } from './support/seed.js';

const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

describe('console: an operator’s daily work', () => {
  let c: ConsoleHarness;
  let s: Seeded;
  seededConsole((harness, seeded) => {
    c = harness;
    s = seeded;
  });

  it('creates an organisation from a preset, saying up front what each field needs', async () => {
    const page = await c.signIn(s.operator, 'en', DESKTOP);
    await page.goto(`${c.origin}/console/#/tenants`);
    await settled(page);
    const form = page.locator('form.new-tenant');
    expect(await form.locator('.hint').first().textContent()).toBe(
      'Required: lower-case letters, digits and hyphens (e.g. teachers-union); it cannot change later.',
    );
    await form.getByLabel('Identifier').fill('party-congress');
    await form.getByLabel('Name').fill('Party congress');
    await form.getByLabel('Risk level').selectOption('2');
    await form.getByLabel('Starting settings').selectOption({ label: 'Union or works council election, risk level 2' });
    expect(await form.locator('p.hint[aria-live]').textContent()).toBe(
      'Professional election: no proxies, schedule locked once published, results published one hour after the close, audit trail kept two years.',
    );
    await form.getByRole('button', { name: 'Create the organisation' }).click();
    await page.waitForURL(/#\/tenants\/party-congress$/);
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('Options of Party congress');
    expect(await page.locator('tr[data-option=retention_days] td.value').textContent()).toBe('730');
    const created = (await c.t.as(s.operator).get('/v1/tenants/party-congress').expect(200)).body;
    expect(created).toMatchObject({ name: 'Party congress', riskLevel: 2 });
    await page.close();
  });

  it('invites a client admin and lists the people of an organisation, with revocation confirmed first', async () => {
    const page = await c.signIn(s.operator, 'en', DESKTOP);
    await page.goto(`${c.origin}/console/#/tenants/party-congress`);
    await settled(page);
    const people = page.locator('section[aria-labelledby=people-title]');
    await people.getByText('Nobody has access to this organisation yet.').waitFor();
    await people.getByLabel('Full name').fill('Marie Dupont');
    await people.getByLabel('E-mail address').fill('marie.dupont@example.org');
    await people.getByRole('button', { name: 'Send the invitation' }).click();
    // An operator's invitation waits for someone else (here another operator: the organisation has nobody yet).
    await page
      .locator('#status', { hasText: 'Invitation for Marie Dupont recorded: someone else must approve it before it is sent.' })
      .waitFor();

    await page.goto(`${c.origin}/console/#/tenants/teachers-union`);
    await settled(page);
    const row = page.locator('section[aria-labelledby=people-title] tr', { hasText: 'President, teachers union' });
    // The people of an organisation load after the rest of its page.
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual([
      'President, teachers union',
      'client administrator',
      expect.stringContaining('@'),
      expect.any(String),
      'active',
      'Revoke',
    ]);
    await row.getByRole('button', { name: 'Revoke President, teachers union' }).click();
    expect(await row.locator('p').textContent()).toBe('Revoke the access of President, teachers union? Their token stops working at once.');
    await row.getByRole('button', { name: 'Confirm revocation' }).click();
    await page
      .locator('#status', {
        hasText:
          /^(Access of President, teachers union revoked\.|Revocation of President, teachers union requested: someone else must approve it\.)$/,
      })
      .waitFor();
    await page.close();
  });

  it('shows the dry-run plan of a bulk change before applying exactly that plan', async () => {
    const page = await c.signIn(s.operator, 'en', DESKTOP);
    await page.getByRole('navigation').getByRole('link', { name: 'Bulk change' }).click();
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('Change one option for several organisations');
    // Critical options are never bulk-applied: not even offered.
    expect(await page.getByLabel('Option').locator('option', { hasText: 'Ballot secrecy' }).count()).toBe(0);
    const option = page.getByLabel('Option');
    if ((await option.inputValue()) !== 'max_proxies') {
      const drawn = await option.elementHandle();
      await option.selectOption('max_proxies');
      // The form is drawn again for the chosen option once the tenants are read: the value goes into that one.
      await drawn?.waitForElementState('hidden');
    }
    await page.getByLabel('New value').fill('4');
    await page.getByLabel('Federation of members abroad').check();
    await page.getByLabel('Teachers union').check();
    await page.getByLabel('Reason (recorded in the audit log)').fill('federal statutes of 2027');
    await page.getByRole('button', { name: 'Show the plan' }).click();
    const plan = page.locator('.bulk-plan');
    await plan.locator('table').waitFor();
    expect(await plan.locator('h2').textContent()).toBe('Plan (nothing is changed yet)');
    expect(await plan.locator('tr[data-tenant=federation-abroad] td').allTextContents()).toEqual([
      'Federation of members abroad',
      '2 → 4',
      'Applied at once',
    ]);
    expect(await plan.locator('tr[data-tenant=teachers-union] td').allTextContents()).toEqual([
      'Teachers union',
      '0 → 4',
      'Applied at once',
    ]);
    expect((await c.t.as(s.operator).get('/v1/tenants/teachers-union/options/max_proxies')).body.value).toBe(0);
    await plan.getByRole('button', { name: 'Apply this plan' }).click();
    await page.locator('#status', { hasText: 'Done: 2 applied, 0 waiting for approval, 0 unchanged.' }).waitFor();
    expect((await c.t.as(s.operator).get('/v1/tenants/teachers-union/options/max_proxies')).body.value).toBe(4);
    await page.close();
  });

  it('fits a phone in French: the bulk form and the tenant list stay within 390 px', async () => {
    const page = await c.signIn(s.operator, 'fr', PHONE);
    for (const hash of ['#/bulk', '#/tenants']) {
      await page.goto(`${c.origin}/console/${hash}`);
      await settled(page);
      expect({ hash, width: await page.evaluate<number>('document.documentElement.scrollWidth') }).toEqual({
        hash,
        width: expect.any(Number),
      });
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    }
    expect(await page.locator('main h1').textContent()).toBe('Clients');
    await page.close();
  });
});
