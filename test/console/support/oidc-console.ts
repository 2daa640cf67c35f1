import type { Page } from 'playwright-core';
import type { CloisonConfig } from '#config';
import { startConsole, type ConsoleHarness } from './console-harness.js';
import { freePort } from '../../support/free-port.js';
import { consoleSignInConfig, startOpenIdProvider, type OpenIdProvider } from './openid-provider.js';

export interface OidcConsole {
  c: ConsoleHarness;
  idp: OpenIdProvider;
  stop(): Promise<void>;
}

/**
 * A console (on http://localhost:<port>, passkeys on) whose sign-in goes through a real OpenID
 * provider on http://127.0.0.1:<other port>: another site, as in production.
 */
export async function startOidcConsole(more: Partial<CloisonConfig> = {}): Promise<OidcConsole> {
  // The provider listens first: the console's port, picked next, cannot be the provider's.
  let redirectUrl = '';
  const idp = await startOpenIdProvider(() => [redirectUrl]);
  const port = await freePort();
  redirectUrl = `http://localhost:${port}/v1/console/callback`;
  try {
    const c = await startConsole({
      passkeys: true,
      port,
      config: {
        ...consoleSignInConfig(idp.issuer, redirectUrl),
        ...more,
      },
    });
    return {
      c,
      idp,
      async stop() {
        await c.stop();
        await idp.close();
      },
    };
  } catch (err) {
    await idp.close();
    throw err;
  }
}

/**
 * From the console's sign-in page (or an invitation link), through the provider's own login and
 * consent pages as `login`, back to wherever the provider's answer leads.
 */
export async function signInAtProvider(page: Page, login: string, start?: () => Promise<unknown>): Promise<void> {
  await (start ? start() : page.locator('a[data-sign-in=oidc]').click());
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.locator('button[type=submit]').click();
  // The provider asks for consent when this account has not yet granted the console access.
  const consent = page.locator('form input[name=prompt][value=consent]');
  await Promise.race([consent.waitFor({ state: 'attached' }), page.waitForURL((u) => !u.href.startsWith('http://127.0.0.1'))]);
  if (await consent.count()) await page.locator('button[type=submit]').click();
  await page.waitForURL((u) => !u.href.startsWith('http://127.0.0.1'));
}
