import swc from '@swc/core';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { freePort } from '../../support/free-port.js';
import { startTestApp, tempDir, type TestApp } from '../../support/test-app.js';
import type { CloisonConfig } from '#config';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ConsoleHarness {
  t: TestApp;
  /** http://127.0.0.1:<port> of the listening Cloison (http://localhost:<port> with passkeys). */
  origin: string;
  browser: BrowserContext;
  /** A new tab (fresh sessionStorage: signed out) at the console, in `lang`. */
  open(lang?: 'en' | 'fr', viewport?: { width: number; height: number }): Promise<Page>;
  /** Opens a tab and signs in with `token`, waiting for the role's first view. */
  signIn(token: string, lang?: 'en' | 'fr', viewport?: { width: number; height: number }): Promise<Page>;
  stop(): Promise<void>;
}

const CONSOLE_SRC = resolve('apps/console/src');

/**
 * Compiles the console into a folder of its own, so concurrent test files never share output.
 * File by file without type checking (the typecheck script does that), with swc as the test
 * transform: loading the TypeScript compiler alone takes seconds per test file.
 */
function buildConsole(): string {
  const out = tempDir('cloison-console-');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
    );
  for (const file of walk(CONSOLE_SRC)) {
    const { code } = swc.transformSync(readFileSync(file, 'utf8'), {
      filename: file,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
    });
    const target = join(out, relative(CONSOLE_SRC, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
  return out;
}

/**
 * A listening Cloison on a fresh database serving a freshly compiled console, and one Chromium
 * with a fresh profile. One per test file.
 */
export async function startConsole(
  opts: { passkeys?: boolean; bypassCSP?: boolean; port?: number; config?: Partial<CloisonConfig> } = {},
): Promise<ConsoleHarness> {
  const scriptsDir = buildConsole();
  const profile = tempDir('cloison-chromium-');
  // Passkeys need a secure context: the page is opened as localhost, the relying party, on a port known beforehand.
  const fixedPort = opts.port ?? (opts.passkeys ? await freePort() : 0);
  const passkeys: Partial<CloisonConfig> = opts.passkeys
    ? { webauthn: { rpId: 'localhost', origins: [`http://localhost:${fixedPort}`] }, signedApprovalsFromRisk: 2 }
    : {};
  const t = await startTestApp({ console: { assetsDir: resolve('apps/console/public'), scriptsDir }, ...passkeys, ...opts.config });
  let browser: BrowserContext | undefined;
  try {
    await t.app.listen({ port: fixedPort, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const origin = `http://${opts.passkeys ? 'localhost' : '127.0.0.1'}:${port}`;
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 900 },
      // Only for tools that inject scripts (the accessibility check): the console's own CSP stays on elsewhere.
      bypassCSP: opts.bypassCSP === true,
    });
    const ctx = browser;
    const open = async (lang: 'en' | 'fr' = 'en', viewport?: { width: number; height: number }) => {
      const page = await ctx.newPage();
      if (viewport) await page.setViewportSize(viewport);
      await page.addInitScript(`localStorage.setItem('cloison.lang', ${JSON.stringify(lang)})`);
      await page.goto(`${origin}/console/`);
      return page;
    };
    return {
      t,
      origin,
      browser: ctx,
      open,
      async signIn(token, lang = 'en', viewport) {
        const page = await open(lang, viewport);
        await page.locator('input[name=token]').fill(token);
        await page.locator('form.sign-in button[type=submit]').click();
        await page.locator('header .who').waitFor();
        await page.waitForURL(/#\/./);
        await settled(page);
        return page;
      },
      async stop() {
        await ctx.close();
        await t.stop();
        rmSync(profile, { recursive: true, force: true });
        rmSync(scriptsDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser?.close();
    await t.stop();
    throw err;
  }
}

/** Waits until the view of the page's current address has finished drawing. */
export async function settled(page: Page): Promise<void> {
  const hash = new URL(page.url()).hash;
  await page.locator(`main[data-rendered=${JSON.stringify(hash)}]:not([aria-busy])`).waitFor();
}

/** A platform authenticator in the page's browser (Chromium's virtual one, user verified): passkeys without a person. */
export async function virtualAuthenticator(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return cdp;
}
