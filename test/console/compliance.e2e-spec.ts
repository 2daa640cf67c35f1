import { settled, type ConsoleHarness } from './support/console-harness.js';
import { seededConsole, type Seeded } from './support/seed.js';
import { createPrincipal } from '../support/test-app.js';

describe('console: compliance reviewer journey', () => {
  let c: ConsoleHarness;
  let s: Seeded;
  seededConsole((harness, seeded) => {
    c = harness;
    s = seeded;
  });

  it('reads the audit log across tenants and narrows it with filters kept in the address', async () => {
    const page = await c.signIn(s.compliance);
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('Audit log');
    const tenantsShown = async () => new Set((await page.locator('tbody tr td:nth-child(3)').allTextContents()).filter((x) => x !== '—'));
    expect(await tenantsShown()).toEqual(new Set(['federation-abroad', 'teachers-union']));

    await page.getByLabel('Tenant').selectOption('federation-abroad');
    await page.getByLabel('Option').selectOption('retention_days');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/#\/audit\?tenant=federation-abroad&option=retention_days$/);
    await settled(page);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.locator('del').textContent()).toBe('365');
    expect(await rows.locator('ins').textContent()).toBe('730');
    expect(await rows.locator('.sentence').textContent()).toBe(
      'bootstrap operator (operator) changed “Data retention period” from “365” to “730”',
    );

    await page.getByLabel('From').fill('2099-01-01');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.locator('main p.muted', { hasText: 'No event matches these filters.' }).waitFor();
    await page.close();
  });

  it('filters by person, picked by name: only what that person did', async () => {
    const page = await c.signIn(s.compliance);
    const said = () => page.locator('tbody tr .sentence').allTextContents();
    // Unfiltered, the log also holds the platform's own event (the bootstrap operator's creation).
    expect((await said()).some((x) => x.startsWith('cloison (the platform)'))).toBe(true);
    await page.getByLabel('Person').selectOption({ label: 'bootstrap operator (operator)' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/actor=/);
    await settled(page);
    const shown = await said();
    expect(shown.length).toBeGreaterThanOrEqual(9);
    expect(shown.filter((x) => !x.startsWith('bootstrap operator (operator) '))).toEqual([]);
    await page.close();
  });

  it('verifies the chain and shows the result (or says plainly the server cannot)', async () => {
    const api = await c.t.as(s.compliance).get('/v1/audit/verify');
    const page = await c.signIn(s.compliance);
    await settled(page);
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    const result = page.locator('.verify-result');
    if (api.status === 404) {
      await result.locator('p', { hasText: 'Chain verification is not available on this server.' }).waitFor();
    } else {
      expect(api.body).toMatchObject({ ok: true });
      await result.locator('p.ok').waitFor();
      expect(await result.textContent()).toMatch(/^Chain verified: \d+ events checked, none altered\.$/);
    }
    await page.close();
  });

  it('exports the log as a file (or says plainly the server cannot)', async () => {
    const api = await c.t.as(s.compliance).get('/v1/audit/export?format=jsonl');
    const page = await c.signIn(s.compliance);
    await settled(page);
    if (api.status === 404) {
      await page.getByRole('button', { name: 'Export (JSONL)' }).click();
      await page.locator('.verify-result p', { hasText: 'Export is not available on this server.' }).waitFor();
    } else {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export (JSONL)' }).click()]);
      expect(download.suggestedFilename()).toBe('cloison-audit-global.jsonl');
    }
    await page.close();
  });

  it('sees pending change requests in plain words, with no approve or reject button (only the fingerprint to copy)', async () => {
    const requested = await c.t
      .as(s.operator)
      .put('/v1/tenants/teachers-union/options/schedule_change')
      .send({ value: 'locked', reason: 'dates are final' });
    expect(requested.status).toBe(202);
    const page = await c.signIn(s.compliance);
    await page.goto(`${c.origin}/console/#/tenants/teachers-union`);
    await settled(page);
    const item = page.locator('li.request[data-option=schedule_change]');
    await item.waitFor();
    expect(await item.textContent()).toContain('Never once set');
    // Nothing to decide: only the fingerprint can be copied.
    expect(await item.getByRole('button').allTextContents()).toEqual(['Copy']);
    await page.close();
  });

  it('returns to the sign-in page, saying why, when its token is revoked during the session', async () => {
    const token = await createPrincipal(c.t, 'compliance', undefined, 'Second reviewer');
    const id = ((await c.t.as(token).get('/v1/me')).body as { id: string }).id;
    const page = await c.signIn(token, 'fr');
    await settled(page);
    expect((await c.t.as(s.operator).post(`/v1/principals/${id}/revoke`).send({})).status).toBe(200);
    await page.getByRole('navigation').getByRole('link', { name: 'Clients' }).click();
    const notice = page.locator('main [data-note=session-ended]');
    await notice.waitFor();
    expect(await notice.textContent()).toBe(
      'Votre session a pris fin : votre jeton d’accès n’est plus accepté. Reconnectez-vous avec un jeton valide.',
    );
    expect(await page.locator('main h1').textContent()).toBe('Connexion');
    expect(await page.locator('header .who').count()).toBe(0);
    expect(await page.getByRole('alert').locator('.error-title').count()).toBe(0);
    expect(await page.evaluate<string | null>("sessionStorage.getItem('cloison.token')")).toBeNull();
    await page.close();
  });
});
