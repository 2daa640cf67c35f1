import type { Page } from 'playwright-core';
import { OPERATOR_TOKEN_2, outboxCode } from '../support/test-app.js';
import { settled, type ConsoleHarness } from './support/console-harness.js';
import { seededConsole, type Seeded } from './support/seed.js';

const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

describe('console: the approvals inbox', () => {
  let c: ConsoleHarness;
  let s: Seeded;
  let secrecy: { id: string };
  let seal: { id: string };

  seededConsole((harness, seeded) => {
    c = harness;
    s = seeded;
  });
  beforeAll(async () => {
    const op = c.t.as(s.operator);
    secrecy = (
      await op
        .put('/v1/tenants/federation-abroad/options/ballot_secrecy')
        .send({ value: 'admin_visible', reason: 'support needs to see votes' })
        .expect(202)
    ).body;
    await op.put('/v1/tenants/teachers-union/options/schedule_change').send({ value: 'anytime', reason: 'dates still moving' }).expect(202);
    seal = (await op.post('/v1/tenants/teachers-union/seals').send({ label: 'General assembly 2027' }).expect(201)).body;
  });

  const badge = async (page: Page, n: number) => {
    await page.locator(`header [data-inbox-count="${n}"]`).waitFor({ state: 'attached' });
    return page.locator('header [data-inbox-count]');
  };

  it('shows another operator a count in the header and one page of every tenant’s requests and seals; approving removes the item', async () => {
    const page = await c.signIn(OPERATOR_TOKEN_2, 'en', DESKTOP);
    expect(await (await badge(page, 3)).textContent()).toBe('3 (3 awaiting your approval)');
    await page
      .getByRole('navigation')
      .getByRole('link', { name: /Awaiting me/ })
      .click();
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('Awaiting my approval');
    expect(await page.locator('main h2').allTextContents()).toEqual(['Changes (2)', 'Seals (1)']);
    const item = page.locator(`li.request[data-request="${secrecy.id}"]`);
    expect(await item.locator('h3').textContent()).toBe('Ballot secrecy Critical · Federation of members abroad');
    expect([await item.locator('del').textContent(), await item.locator('ins').textContent()]).toEqual([
      'Secret: nobody can see how anyone voted',
      'Administrators can see individual votes',
    ]);
    expect(await page.locator('li.request[data-option=schedule_change] h3').textContent()).toBe(
      'Changing the voting schedule High · Teachers union',
    );
    const sealCard = page.locator(`li[data-seal="${seal.id}"]`);
    expect(await sealCard.locator('h3').textContent()).toBe('Seal “General assembly 2027” · Teachers union');
    expect(await sealCard.locator('[data-seal-status]').textContent()).toBe('Proposed: not in force until enough people approve it.');
    expect(await sealCard.locator('.progress').textContent()).toBe('0 of 2 approvals given to put it in force');
    expect(await sealCard.getByRole('button').allTextContents()).toEqual(['Approve the seal']);

    await item.getByRole('button', { name: 'Approve' }).click();
    await item.getByRole('button', { name: 'Confirm approval' }).click();
    await page.locator('#status', { hasText: 'Approved.' }).waitFor();
    await badge(page, 2);
    expect(await page.locator(`li.request[data-request="${secrecy.id}"]`).count()).toBe(0);
    expect(await page.locator('main h2').allTextContents()).toEqual(['Changes (1)', 'Seals (1)']);
    await page.close();
  });

  it('tells the requester, in French, that nothing awaits them: their own requests are for others', async () => {
    const page = await c.signIn(s.operator, 'fr', DESKTOP);
    await page.goto(`${c.origin}/console/#/inbox`);
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('En attente de mon approbation');
    expect(await page.locator('[data-note=inbox-empty]').textContent()).toBe('Rien n’attend votre approbation.');
    expect(await (await badge(page, 0)).isHidden()).toBe(true);
    await page.close();
  });

  it('shows a client admin on a phone only its organisation’s consent, in French, within the screen', async () => {
    const page = await c.signIn(s.clientAdmin, 'fr', PHONE);
    expect(await (await badge(page, 1)).textContent()).toBe('1 (1 en attente de votre approbation)');
    await page.goto(`${c.origin}/console/#/inbox`);
    await settled(page);
    const item = page.locator(`li.request[data-request="${secrecy.id}"]`);
    expect(await item.locator('.progress').textContent()).toBe('1 sur 2 approbations données');
    expect(await item.locator('[data-step=clientAdmin]').textContent()).toBe('Consentement du client : encore attendu');
    expect(await page.locator('li.request').count()).toBe(1);
    expect(await page.locator('main').textContent()).not.toContain('Teachers union');
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.close();
  });

  it('lets the other organisation’s client admin approve its seal from the inbox', async () => {
    const page = await c.signIn(s.otherClientAdmin, 'en', DESKTOP);
    await badge(page, 1);
    await page.goto(`${c.origin}/console/#/inbox`);
    await settled(page);
    const sealCard = page.locator(`li[data-seal="${seal.id}"]`);
    await sealCard.getByRole('button', { name: 'Approve the seal' }).click();
    expect(await sealCard.locator('.confirm-text').textContent()).toBe(
      'Approve seal “General assembly 2027”? Once in force, the configuration is frozen.',
    );
    await sealCard.getByRole('button', { name: 'Confirm approval' }).click();
    await page.locator('#status', { hasText: 'Seal approved.' }).waitFor();
    await badge(page, 0);
    const stored = (await c.t.as(s.operator).get(`/v1/tenants/teachers-union/seals/${seal.id}`).expect(200)).body;
    expect(stored.approvals).toMatchObject([
      { principal: { name: 'President, teachers union' }, role: 'client_admin', purpose: 'activate' },
    ]);
    await page.close();
  });

  it('has no inbox for the compliance reviewer, who decides nothing', async () => {
    const page = await c.signIn(s.compliance, 'en', DESKTOP);
    expect(await page.getByRole('navigation').getByRole('link').allTextContents()).toEqual(['Audit log', 'Tenants', 'Exposure']);
    await page.close();
  });

  it('offers another operator the invitation of a new organisation’s first person; approving sends the code to the invitee', async () => {
    const op = c.t.as(s.operator);
    await op.post('/v1/tenants').send({ slug: 'new-federation', name: 'New federation', riskLevel: 2 }).expect(201);
    const asked = await op
      .post('/v1/tenants/new-federation/invitations')
      .send({ email: 'president@new-federation.example', name: 'Ada President' })
      .expect(202);
    const page = await c.signIn(OPERATOR_TOKEN_2, 'en', DESKTOP);
    await page.goto(`${c.origin}/console/#/inbox`);
    await settled(page);
    const card = page.locator(`li[data-principal-request="${asked.body.id}"]`);
    expect(await card.locator('h3').textContent()).toBe('Invitation of Ada President (president@new-federation.example) · New federation');
    expect(await card.locator('.asked').textContent()).toMatch(/^Asked by bootstrap operator on .+\. Approving sends the one-time code/);
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#status', { hasText: 'Approved: Ada President.' }).waitFor();
    // The page is drawn again without it.
    await page.locator(`li[data-principal-request="${asked.body.id}"]`).waitFor({ state: 'detached' });
    expect(outboxCode(c.t, 'president@new-federation.example')).toMatch(/^inv_/);
    await page.close();
  });
});
