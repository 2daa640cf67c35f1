import type { Page } from 'playwright-core';
import { OPERATOR_TOKEN, createTenant } from '../support/test-app.js';
import { settled } from './support/console-harness.js';
import { signInAtProvider, startOidcConsole, type OidcConsole } from './support/oidc-console.js';

/**
 * The console signs in through a real OpenID provider (oidc-provider, in this process) in
 * headless Chromium: the provider's own login and consent pages, the callback, the cookie
 * session; then sign-out, refusals, CSRF, expiry and revocation, as a person meets them.
 */
describe('console: sign-in through the organisation’s OpenID provider', () => {
  let o: OidcConsole;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    o = await startOidcConsole();
    await createTenant(o.c.t, 'alpha');
    await createTenant(o.c.t, 'beta');
    for (const [subject, name, role, tenant] of [
      ['alice', 'Alice of Alpha', 'client_admin', 'alpha'],
      ['bruno', 'Bruno of Beta', 'client_admin', 'beta'],
      ['grace', 'Grace Compliance', 'compliance', undefined],
    ] as const) {
      const res = await o.c.t
        .as(OPERATOR_TOKEN)
        .post('/v1/principals')
        .send({ name, role, ...(tenant ? { tenant } : {}), oidc: { subject } });
      if (res.status !== 201) throw new Error(`registering ${subject}: ${res.status} ${res.text}`);
      ids[subject] = res.body.id;
    }
  }, 180_000);
  afterAll(async () => {
    await o?.stop();
  });

  /** A fresh tab, signed out of the provider too (its own session cookie is dropped). */
  async function freshPage(lang: 'en' | 'fr' = 'en'): Promise<Page> {
    await o.c.browser.clearCookies();
    return o.c.open(lang);
  }

  async function sessionCookie(): Promise<string> {
    const found = (await o.c.browser.cookies(o.c.origin)).find((k) => k.name === 'cloison_session');
    if (!found) throw new Error('no session cookie');
    expect(found).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    return found.value;
  }

  async function signedInAs(page: Page, login: string): Promise<void> {
    await signInAtProvider(page, login);
    await page.locator('header .who').waitFor();
    await page.waitForURL(/#\/./);
    await settled(page);
  }

  it('a client admin signs in, sees their tenant, signs out: the session is gone (the old cookie gets 401)', async () => {
    const page = await freshPage();
    await signedInAs(page, 'alice');
    expect(await page.locator('header .who').innerText()).toContain('Alice of Alpha');
    expect(page.url()).toContain('#/org');
    expect(await page.locator('main').innerText()).toContain('Tenant alpha');
    const cookie = await sessionCookie();
    // Nothing of the session is readable by the page's scripts.
    expect(await page.evaluate<string>('document.cookie')).not.toContain('cloison_session');
    await o.c.t.http.get('/v1/me').set('cookie', `cloison_session=${cookie}`).expect(200);

    const [signedOut] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/console/sign-out')),
      page.locator('header button', { hasText: 'Sign out' }).click(),
    ]);
    expect(signedOut.status()).toBe(204);
    await page.locator('a[data-sign-in=oidc]').waitFor();
    await o.c.t.http.get('/v1/me').set('cookie', `cloison_session=${cookie}`).expect(401);
    expect((await o.c.browser.cookies(o.c.origin)).some((k) => k.name === 'cloison_session' && k.value)).toBe(false);
    // Reloading does not bring the session back.
    await page.reload();
    await page.locator('a[data-sign-in=oidc]').waitFor();
    expect(await page.locator('header .who').count()).toBe(0);
    await page.close();
  });

  it('refuses a person the provider knows but Cloison does not, with a page that says so', async () => {
    const page = await freshPage();
    const before = (await o.c.t.superuser((c) => c.query('SELECT count(*)::int AS n FROM principals'))).rows[0].n;
    await signInAtProvider(page, 'mallory');
    const refusal = page.locator('[data-refusal=unknown_person]');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('no active Cloison account is linked to "mallory"');
    expect((await o.c.browser.cookies(o.c.origin)).some((k) => k.name === 'cloison_session')).toBe(false);
    expect((await o.c.t.superuser((c) => c.query('SELECT count(*)::int AS n FROM principals'))).rows[0].n).toBe(before);
    await page.close();
  });

  it('a change sent with the cookie but without the CSRF token is refused (403) and changes nothing', async () => {
    const page = await freshPage();
    await signedInAs(page, 'alice');
    const before = await o.c.t.snapshot();
    const status = await page.evaluate(async () => {
      const res = await fetch('/v1/tenants/alpha/invitations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'forged@alpha.example', name: 'Forged' }),
      });
      return res.status;
    });
    expect(status).toBe(403);
    expect(await o.c.t.snapshot()).toEqual(before);
    await page.close();
  });

  it('an expired session is refused: the console returns to sign-in and says why', async () => {
    const page = await freshPage();
    await signedInAs(page, 'bruno');
    const cookie = await sessionCookie();
    await o.c.t.superuser((c) =>
      c.query(`UPDATE console_sessions SET last_seen_at = now() - interval '2 hours' WHERE id_hash = encode(sha256($1::bytea), 'hex')`, [
        cookie,
      ]),
    );
    await page.evaluate('location.hash = "#/audit"');
    const notice = page.locator('main [data-note=session-ended]');
    await notice.waitFor();
    expect(await notice.innerText()).toBe('Your session has ended: sign in again with your organisation’s account.');
    await o.c.t.http.get('/v1/me').set('cookie', `cloison_session=${cookie}`).expect(401);
    await page.close();
  });

  it("a revoked principal's session is refused at once", async () => {
    const page = await freshPage();
    await signedInAs(page, 'grace');
    const cookie = await sessionCookie();
    await o.c.t.as(OPERATOR_TOKEN).post(`/v1/principals/${ids.grace}/revoke`).send({}).expect(200);
    await o.c.t.http.get('/v1/me').set('cookie', `cloison_session=${cookie}`).expect(401);
    await page.locator('nav a[href="#/tenants"]').click();
    await page.locator('main [data-note=session-ended]').waitFor();
    await page.close();
  });
});
