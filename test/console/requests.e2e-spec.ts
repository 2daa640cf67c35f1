import type { Page } from 'playwright-core';
import { OPERATOR_TOKEN_2 } from '../support/test-app.js';
import { settled, type ConsoleHarness } from './support/console-harness.js';
import { seededConsole, type Seeded } from './support/seed.js';

const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

describe('console: change requests a person can judge', () => {
  let c: ConsoleHarness;
  let s: Seeded;
  const marie = OPERATOR_TOKEN_2;
  let marieName: string;
  let request: { id: string; contentHash: string };

  seededConsole((harness, seeded) => {
    c = harness;
    s = seeded;
  });
  beforeAll(async () => {
    // The second initial operator: another person than the requester.
    marieName = (await c.t.as(marie).get('/v1/me').expect(200)).body.name;
    // A critical change: one operator other than the requester, then the client's consent.
    const asked = await c.t
      .as(s.operator)
      .put('/v1/tenants/federation-abroad/options/ballot_secrecy')
      .send({ value: 'admin_visible', reason: 'support needs to see votes' });
    expect(asked.status).toBe(202);
    request = asked.body;
    await c.t
      .as(marie)
      .post(`/v1/tenants/federation-abroad/change-requests/${request.id}/approve`)
      .send({ contentHash: request.contentHash })
      .expect(200);
    // A high option turned on by two operators: a dangerous value now in force.
    const exported = await c.t
      .as(s.operator)
      .put('/v1/tenants/federation-abroad/options/voter_list_export')
      .send({ value: true, reason: 'roll audit by the bailiff' });
    expect(exported.status).toBe(202);
    await c.t
      .as(marie)
      .post(`/v1/tenants/federation-abroad/change-requests/${exported.body.id}/approve`)
      .send({ contentHash: exported.body.contentHash })
      .expect(200);
  });

  const card = (page: Page) => page.locator(`li.request[data-request="${request.id}"]`);

  it('shows the client admin before → after in words, the risk, who asked and why, each approval with its progress', async () => {
    const page = await c.signIn(s.clientAdmin, 'en', DESKTOP);
    const item = card(page);
    await item.waitFor();
    expect(await item.locator('h3').textContent()).toBe('Ballot secrecy Critical');
    expect(await item.locator('del').textContent()).toBe('Secret: nobody can see how anyone voted');
    expect(await item.locator('ins').textContent()).toBe('Administrators can see individual votes');
    expect(await item.locator('[data-danger]').textContent()).toBe('Risky value: differs from the safe default');
    expect(await item.locator('.asked').textContent()).toMatch(/^Asked by bootstrap operator \(operator\) on \d+ \w+ \d{4}, \d\d:\d\d$/);
    expect(await item.locator('.request-reason').textContent()).toBe('Reason: support needs to see votes');
    expect(await item.locator('.progress').textContent()).toBe('1 of 2 approvals given');
    expect(await item.locator('[data-step=operator]').textContent()).toMatch(
      new RegExp(`^Operator approval: given by ${marieName} on \\d+ \\w+ \\d{4}, \\d\\d:\\d\\d$`),
    );
    expect(await item.locator('[data-step=clientAdmin]').textContent()).toBe('Client consent: still needed');
    expect(await item.locator('code.hash').textContent()).toBe(`${request.contentHash.slice(0, 12)}…`);
    expect(await item.getByRole('button', { name: 'Approve' }).count()).toBe(1);
    expect(await item.getByRole('button', { name: 'Reject' }).count()).toBe(1);
    expect(await item.textContent()).not.toContain('admin_visible');
    await page.close();
  });

  it('copies the full content fingerprint', async () => {
    await c.browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: c.origin });
    const page = await c.signIn(s.clientAdmin, 'en', DESKTOP);
    await card(page).getByRole('button', { name: 'Copy the full content fingerprint' }).click();
    await page.locator('#status', { hasText: 'Content fingerprint copied.' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(request.contentHash);
    await page.close();
  });

  it('says the same in French, and the approval confirmation repeats what and who', async () => {
    const page = await c.signIn(s.clientAdmin, 'fr', DESKTOP);
    const item = card(page);
    await item.waitFor();
    expect(await item.locator('h3').textContent()).toBe('Secret du vote Critique');
    expect(await item.locator('del').textContent()).toBe("Secret : personne ne peut voir le choix d'un électeur");
    expect(await item.locator('ins').textContent()).toBe('Votes individuels visibles par les administrateurs');
    expect(await item.locator('[data-danger]').textContent()).toBe('Valeur à risque : s’écarte du réglage sûr');
    expect(await item.locator('.asked').textContent()).toMatch(/^Demandée par bootstrap operator \(opérateur\) le /);
    expect(await item.locator('.progress').textContent()).toBe('1 sur 2 approbations données');
    expect(await item.locator('[data-step=operator]').textContent()).toMatch(
      new RegExp(`^Approbation d’un opérateur : donné par ${marieName} le `),
    );
    expect(await item.locator('[data-step=clientAdmin]').textContent()).toBe('Consentement du client : encore attendu');
    await item.getByRole('button', { name: 'Approuver' }).click();
    expect(await item.locator('.confirm-text').textContent()).toMatch(
      /^Approuver « Secret du vote » avec la valeur Votes individuels visibles par les administrateurs, comme demandé par bootstrap operator \(opérateur\) le .+ \?$/,
    );
    await item.getByRole('button', { name: 'Retour' }).click();
    expect(await item.getByRole('button', { name: 'Approuver' }).count()).toBe(1);
    await page.close();
  });

  it('offers the compliance reviewer no decision at all, only what it needs to read', async () => {
    const page = await c.signIn(s.compliance, 'en', DESKTOP);
    await page.goto(`${c.origin}/console/#/tenants/federation-abroad`);
    await settled(page);
    const item = card(page);
    await item.waitFor();
    expect(await item.locator('.progress').textContent()).toBe('1 of 2 approvals given');
    expect(await item.getByRole('button').allTextContents()).toEqual(['Copy']);
    await page.close();
  });

  it('tells each operator where they stand: the requester may only withdraw, the approver has approved', async () => {
    const requester = await c.signIn(s.operator, 'en', DESKTOP);
    await requester.goto(`${c.origin}/console/#/tenants/federation-abroad`);
    await settled(requester);
    expect(await card(requester).getByRole('button').allTextContents()).toEqual(['Copy', 'Withdraw']);
    expect(await card(requester).locator('[data-note=own-request]').count()).toBe(1);
    await requester.close();
    const approver = await c.signIn(marie, 'en', DESKTOP);
    await approver.goto(`${c.origin}/console/#/tenants/federation-abroad`);
    await settled(approver);
    expect(await card(approver).getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await card(approver).locator('[data-note=approved-by-me]').textContent()).toBe(
      'You approved this request; it waits for the other approvals.',
    );
    await approver.close();
  });

  it('marks a dangerous value in force on the client admin’s card and the operator’s row, and only those', async () => {
    const page = await c.signIn(s.clientAdmin, 'en', DESKTOP);
    const marked = await page.locator('li.card.dangerous').evaluateAll((els) => els.map((e) => e.getAttribute('data-option')));
    expect(marked).toEqual(['voter_list_export']);
    expect(await page.locator('li.card[data-option=voter_list_export] [data-danger]').textContent()).toBe(
      'Risky value: differs from the safe default',
    );
    // A default that is not the safest value is no exposure.
    expect(await page.locator('li.card[data-option=schedule_change] [data-danger]').count()).toBe(0);
    await page.close();
    const op = await c.signIn(s.operator, 'fr', DESKTOP);
    await op.goto(`${c.origin}/console/#/tenants/federation-abroad`);
    await settled(op);
    expect(await op.locator('tr.dangerous').evaluateAll((els) => els.map((e) => e.getAttribute('data-option')))).toEqual([
      'voter_list_export',
    ]);
    expect(await op.locator('tr[data-option=voter_list_export] td.value').textContent()).toBe(
      'ActivéValeur à risque : s’écarte du réglage sûr',
    );
    await op.close();
  });

  it('fits a phone: the request card wraps within 390 px, the buttons stay reachable', async () => {
    const page = await c.signIn(s.clientAdmin, 'en', PHONE);
    const item = card(page);
    await item.waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const box = await item.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    const approve = await item.getByRole('button', { name: 'Approve' }).boundingBox();
    expect(approve!.x + approve!.width).toBeLessThanOrEqual(390);
    await page.close();
  });
});
