import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { OPERATOR_TOKEN_2 } from '../support/test-app.js';
import { settled, type ConsoleHarness } from './support/console-harness.js';
import { seededConsole, type Seeded } from './support/seed.js';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical findings on the page as it is now (WCAG 2.x A and AA rules). */
async function serious(page: Page): Promise<{ id: string; help: string; targets: string[][] }[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate<Violation[]>(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)",
  );
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target) }));
}

describe('console: accessibility (axe-core) of each main screen', () => {
  let c: ConsoleHarness;
  let s: Seeded;
  seededConsole(
    (harness, seeded) => {
      c = harness;
      s = seeded;
    },
    { bypassCSP: true },
  );
  beforeAll(async () => {
    const op = c.t.as(s.operator);
    await op
      .put('/v1/tenants/federation-abroad/options/ballot_secrecy')
      .send({ value: 'admin_visible', reason: 'support needs to see votes' })
      .expect(202);
    const exported = (
      await op.put('/v1/tenants/federation-abroad/options/voter_list_export').send({ value: true, reason: 'bailiff audit' }).expect(202)
    ).body;
    await c.t
      .as(OPERATOR_TOKEN_2)
      .post(`/v1/tenants/federation-abroad/change-requests/${exported.id}/approve`)
      .send({ contentHash: exported.contentHash })
      .expect(200);
    await op.post('/v1/tenants/teachers-union/seals').send({ label: 'General assembly 2027' }).expect(201);
  });

  const check = async (token: string | null, lang: 'en' | 'fr', viewport: { width: number; height: number }, hashes: string[]) => {
    const page = token ? await c.signIn(token, lang, viewport) : await c.open(lang, viewport);
    const found: Record<string, unknown> = {};
    for (const hash of hashes) {
      if (hash) {
        await page.goto(`${c.origin}/console/${hash}`);
        await settled(page);
      } else {
        await page.locator('form.sign-in').waitFor();
      }
      const v = await serious(page);
      if (v.length) found[hash || 'sign-in'] = v;
    }
    await page.close();
    return found;
  };

  it('finds nothing serious on the sign-in page, in both languages', async () => {
    expect(await check(null, 'en', { width: 1366, height: 900 }, [''])).toEqual({});
    expect(await check(null, 'fr', { width: 390, height: 844 }, [''])).toEqual({});
  });

  it('reports what it should: an unlabelled field is a critical finding', async () => {
    const page = await c.open('en');
    await page.locator('form.sign-in').waitFor();
    await page.evaluate("document.querySelector('main').append(Object.assign(document.createElement('input'), { type: 'text' }))");
    expect((await serious(page)).map((v) => v.id)).toContain('label');
    await page.close();
  });

  it('finds nothing serious on the operator’s screens (desktop, English)', async () => {
    const screens = [
      '#/inbox',
      '#/tenants',
      '#/tenants/federation-abroad',
      '#/tenants/teachers-union',
      '#/tenants/federation-abroad/options/ballot_secrecy',
      '#/exposure',
      '#/bulk',
      '#/audit',
    ];
    expect(await check(OPERATOR_TOKEN_2, 'en', { width: 1366, height: 900 }, screens)).toEqual({});
  });

  it('finds nothing serious on the client admin’s screens (phone, French)', async () => {
    expect(
      await check(s.clientAdmin, 'fr', { width: 390, height: 844 }, ['#/org', '#/inbox', '#/audit', '#/org/options/retention_days']),
    ).toEqual({});
  });

  it('finds nothing serious on the compliance reviewer’s screens', async () => {
    expect(await check(s.compliance, 'en', { width: 1366, height: 900 }, ['#/audit', '#/tenants', '#/exposure'])).toEqual({});
  });
});
