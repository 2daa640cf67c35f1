import { OPERATOR_TOKEN_2 } from '../support/test-app.js';
import { settled, type ConsoleHarness } from './support/console-harness.js';
import { seededConsole, type Seeded } from './support/seed.js';

const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

describe('console: seals', () => {
  let c: ConsoleHarness;
  let s: Seeded;
  seededConsole((harness, seeded) => {
    c = harness;
    s = seeded;
  });
  beforeAll(async () => {
    const op = c.t.as(s.operator);
    await op
      .put('/v1/tenants/federation-abroad/options/schedule_change')
      .send({ value: 'anytime', reason: 'dates still moving' })
      .expect(202);
    // A secrecy option left less secret before the seal, for a break-glass change under it.
    const results = (
      await op
        .put('/v1/tenants/teachers-union/options/admin_results_during_vote')
        .send({ value: true, reason: 'observers agreed' })
        .expect(202)
    ).body;
    for (const approver of [OPERATOR_TOKEN_2, s.otherClientAdmin]) {
      const res = await c.t
        .as(approver)
        .post(`/v1/tenants/teachers-union/change-requests/${results.id}/approve`)
        .send({ contentHash: results.contentHash })
        .expect(200);
      if (res.body.status === 'applied') break;
    }
    const seal = (await op.post('/v1/tenants/teachers-union/seals').send({ label: 'General assembly 2027' }).expect(201)).body;
    await c.t.as(OPERATOR_TOKEN_2).post(`/v1/tenants/teachers-union/seals/${seal.id}/approve`).expect(200);
    await c.t.as(s.otherClientAdmin).post(`/v1/tenants/teachers-union/seals/${seal.id}/approve`).expect(200);
  });

  it('lists each tenant with its seal and the number of changes waiting for approval', async () => {
    const page = await c.signIn(s.operator, 'en', DESKTOP);
    await page.goto(`${c.origin}/console/#/tenants`);
    await settled(page);
    expect(await page.locator('thead th').allTextContents()).toEqual([
      'Identifier',
      'Name',
      'Risk level',
      'Seal',
      'Waiting for approval',
      'Created',
    ]);
    const row = (slug: string) => page.locator(`tr[data-tenant=${slug}] td`);
    expect((await row('teachers-union').allTextContents()).slice(3, 5)).toEqual(['Sealed: General assembly 2027', '0']);
    expect((await row('federation-abroad').allTextContents()).slice(3, 5)).toEqual(['none', '1']);
    await page.close();
  });

  it('says a tenant is sealed before any form is filled: Edit disabled with the reason, fingerprint shown', async () => {
    const page = await c.signIn(s.operator, 'en', DESKTOP);
    await page.goto(`${c.origin}/console/#/tenants/teachers-union`);
    await settled(page);
    expect(await page.locator('[data-note=sealed]').textContent()).toBe(
      'Sealed (“General assembly 2027”): options cannot change until the seal is lifted.',
    );
    const edits = page.getByRole('button', { name: /^Edit / });
    expect(await edits.count()).toBeGreaterThan(10);
    expect(
      await edits.evaluateAll((bs) => bs.every((b) => b.hasAttribute('disabled') && b.getAttribute('aria-describedby') === 'sealed-note')),
    ).toBe(true);
    const panel = page.locator('section[aria-labelledby=seal-title]');
    expect(await panel.locator('[data-seal-status]').textContent()).toBe(
      'Sealed: the configuration is frozen; changes are refused until the seal is lifted.',
    );
    expect(await panel.locator('code.fingerprint').textContent()).toMatch(/^[0-9a-f]{64}$/);
    expect(await panel.getByRole('button').allTextContents()).toEqual([
      'Approve lifting the seal',
      'Break the seal (emergency)',
      'Ask a second operator to approve',
      'Download the seal document',
    ]);
    // An organisation not sealed keeps its Edit buttons.
    await page.goto(`${c.origin}/console/#/tenants/federation-abroad`);
    await settled(page);
    expect(await page.getByRole('button', { name: 'Edit Data retention period' }).isEnabled()).toBe(true);
    expect(await page.locator('[data-note=sealed]').count()).toBe(0);
    await page.close();
  });

  it('files a break-glass change towards more secrecy under the seal, which a second operator applies', async () => {
    const page = await c.signIn(s.operator, 'en', DESKTOP);
    await page.goto(`${c.origin}/console/#/tenants/teachers-union`);
    await settled(page);
    const form = page.locator('form.break-glass-change');
    // Only secrecy options that can become more secret, and only their more secret values.
    expect(await form.getByLabel('Option').locator('option').allTextContents()).toEqual(['Administrators see results during the vote']);
    expect(await form.getByLabel('More secret value').locator('option').allTextContents()).toEqual(['Off']);
    await form.getByLabel('What emergency requires this change?').fill('results must stay hidden until the count');
    await form.getByRole('button', { name: 'Ask a second operator to approve' }).click();
    await page.locator('#status', { hasText: 'Change filed: it applies once a second operator approves it.' }).waitFor();
    const pending = (await c.t.as(OPERATOR_TOKEN_2).get('/v1/tenants/teachers-union/change-requests?status=pending').expect(200)).body as {
      id: string;
      option: string;
      contentHash: string;
    }[];
    const filed = pending.find((r) => r.option === 'admin_results_during_vote');
    expect(filed).toBeDefined();
    await c.t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/teachers-union/change-requests/${filed?.id}/approve`)
      .send({ contentHash: filed?.contentHash })
      .expect(200);
    const now = await c.t.as(s.operator).get('/v1/tenants/teachers-union/options/admin_results_during_vote').expect(200);
    expect(now.body.value).toBe(false);
    // Nothing is left to make more secret: the form is gone.
    await page.reload();
    await settled(page);
    expect(await page.locator('form.break-glass-change').count()).toBe(0);
    await page.close();
  });

  it('lifts the seal with two approvals given in the console, the second by the client admin in French', async () => {
    const op = await c.signIn(s.operator, 'en', DESKTOP);
    await op.goto(`${c.origin}/console/#/tenants/teachers-union`);
    await settled(op);
    const panel = op.locator('section[aria-labelledby=seal-title]');
    await panel.getByRole('button', { name: 'Approve lifting the seal' }).click();
    await panel.getByLabel('Why should the seal be lifted?').fill('results proclaimed');
    await panel.locator('form').getByRole('button', { name: 'Approve lifting the seal' }).click();
    await op.locator('#status', { hasText: 'Your approval to lift the seal is recorded.' }).waitFor();
    await settled(op);
    expect(await op.locator('section[aria-labelledby=seal-title] .progress').textContent()).toBe('1 of 2 approvals given to lift it');
    await op.close();

    const client = await c.signIn(s.otherClientAdmin, 'fr', DESKTOP);
    const mine = client.locator('section[aria-labelledby=seal-title]');
    await mine.getByRole('button', { name: 'Approuver la levée du scellé' }).click();
    await mine.getByLabel('Pourquoi lever le scellé ?').fill('résultats proclamés');
    await mine.locator('form').getByRole('button', { name: 'Approuver la levée du scellé' }).click();
    await client.locator('#status', { hasText: 'Votre approbation de la levée du scellé est enregistrée.' }).waitFor();
    await client.locator('section[aria-labelledby=seal-title] [data-seal-status=none]').waitFor();
    expect(await client.locator('section[aria-labelledby=seal-title] [data-seal-status=none]').textContent()).toBe(
      'Aucun scellé : la configuration peut changer.',
    );
    await client.close();
  });

  it('lets a client admin propose a seal from a phone; the proposer cannot approve it', async () => {
    const page = await c.signIn(s.clientAdmin, 'fr', PHONE);
    const panel = page.locator('section[aria-labelledby=seal-title]');
    expect(await panel.locator('.hint').textContent()).toBe(
      'Obligatoire, de 3 à 200 caractères. Une fois approuvé par assez de personnes, toutes les options sont figées.',
    );
    await panel.getByLabel('Nom du scellé (le scrutin qu’il protège)').fill('Assemblée générale 2027');
    await panel.getByRole('button', { name: 'Proposer un scellé' }).click();
    await page.locator('#status', { hasText: 'Scellé proposé' }).waitFor();
    await page.locator('section[aria-labelledby=seal-title] [data-seal-status=proposed]').waitFor();
    const after = page.locator('section[aria-labelledby=seal-title]');
    expect(await after.locator('.progress').textContent()).toBe('0 sur 2 approbations données pour le mettre en vigueur');
    expect(await after.getByRole('button', { name: 'Approuver le scellé' }).count()).toBe(0);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.close();
  });
});
