import { settled, type ConsoleHarness } from './support/console-harness.js';
import { seededConsole, type Seeded } from './support/seed.js';

describe('console: errors in the person’s language', () => {
  let c: ConsoleHarness;
  let s: Seeded;
  seededConsole((harness, seeded) => {
    c = harness;
    s = seeded;
  });

  it('says in French which field is refused and what it needs, marks it, and says up front what is required', async () => {
    const before = await c.t.snapshot();
    const page = await c.signIn(s.operator, 'fr', { width: 1366, height: 900 });
    await page.goto(`${c.origin}/console/#/tenants/teachers-union`);
    await settled(page);
    await page.getByRole('button', { name: 'Modifier Nombre maximal de procurations par électeur' }).click();
    const dialog = page.locator('dialog[open]');
    const reason = dialog.getByLabel('Motif (inscrit au journal d’audit)');
    expect(await dialog.locator(`#${await reason.getAttribute('aria-describedby')}`).textContent()).toBe(
      'Obligatoire : au moins 3 caractères, inscrit au journal d’audit.',
    );
    await dialog.getByLabel('Nouvelle valeur').fill('3');
    await reason.fill('ab');
    await dialog.getByRole('button', { name: 'Enregistrer' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.locator('.error-title').textContent()).toBe(
      'Des informations manquent ou ne sont pas valides. Rien n’a été modifié.',
    );
    expect(await alert.locator('.error-details li').allTextContents()).toEqual(['Motif : au moins 3 caractères']);
    // The server's own words stay folded away (for support), not in what the person reads.
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is what is shown; textContent would read the folded details too
    expect(await alert.innerText()).not.toContain('must NOT have');
    expect(await reason.getAttribute('aria-invalid')).toBe('true');
    expect(await reason.getAttribute('aria-describedby')).toContain(await alert.getAttribute('id'));
    expect(await c.t.snapshot()).toEqual(before);
    await page.close();
  });

  it('puts the sign-in page in the chosen language, and says plainly when a token is refused', async () => {
    const page = await c.open('en');
    await page.locator('form.sign-in').waitFor();
    expect(await page.locator('main h1').textContent()).toBe('Sign in');
    await page.locator('#lang').selectOption('fr');
    await page.locator('main h1', { hasText: 'Connexion' }).waitFor();
    expect(await page.locator('label[for^=token]').textContent()).toBe('Jeton d’accès');
    await page.getByLabel('Jeton d’accès').fill('cln_not-a-real-token');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(
      'Ce jeton d’accès n’est pas accepté : vérifiez qu’il a été collé en entier, ou demandez-en un nouveau.',
    );
    expect(await page.getByLabel('Jeton d’accès').getAttribute('aria-invalid')).toBe('true');
    await page.close();
  });

  it('shows a tenant’s options on a phone as cards whose every value is labelled', async () => {
    const page = await c.signIn(s.operator, 'en', { width: 390, height: 844 });
    await page.goto(`${c.origin}/console/#/tenants/federation-abroad`);
    await settled(page);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    const labels = await page.evaluate<string[]>(
      "[...document.querySelectorAll('tr[data-option=retention_days] td')].map((td) => getComputedStyle(td, '::before').content)",
    );
    expect(labels.slice(0, 4)).toEqual(['"Effective value"', '"Source"', '"Version"', '"Last change"']);
    await page.close();
  });
});
