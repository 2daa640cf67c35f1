import { OPERATOR_TOKEN, createPrincipal, type TestApp } from '../../support/test-app.js';
import { startConsole, type ConsoleHarness } from './console-harness.js';

type ConsoleOptions = Parameters<typeof startConsole>[0];

export interface Seeded {
  operator: string;
  clientAdmin: string;
  otherClientAdmin: string;
  compliance: string;
}

/**
 * Two organisations with a few own settings (low and medium options only: they apply directly
 * whatever approval rules the server has), a client admin for each and a compliance reviewer.
 */
export async function seed(t: TestApp): Promise<Seeded> {
  const op = t.as(OPERATOR_TOKEN);
  for (const [slug, name] of [
    ['federation-abroad', 'Federation of members abroad'],
    ['teachers-union', 'Teachers union'],
  ]) {
    const res = await op.post('/v1/tenants').send({ slug, name, riskLevel: 2 });
    if (res.status !== 201) throw new Error(`seeding tenant ${slug}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const set = async (tenant: string, key: string, value: unknown, reason: string) => {
    const res = await op.put(`/v1/tenants/${tenant}/options/${key}`).send({ value, reason });
    if (res.status !== 200) throw new Error(`seeding ${tenant}/${key}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  await set('federation-abroad', 'retention_days', 730, 'statutes art. 12');
  await set('federation-abroad', 'proxy_mode', 'one_per_voter', 'general assembly of 3 March');
  await set('federation-abroad', 'max_proxies', 2, 'general assembly of 3 March');
  await set('federation-abroad', 'revote', true, 'statutes art. 7');
  await set('teachers-union', 'ui_language', 'en', 'union works in English');
  return {
    operator: OPERATOR_TOKEN,
    clientAdmin: await createPrincipal(t, 'client_admin', 'federation-abroad', 'President, federation abroad'),
    otherClientAdmin: await createPrincipal(t, 'client_admin', 'teachers-union', 'President, teachers union'),
    compliance: await createPrincipal(t, 'compliance', undefined, 'Compliance reviewer'),
  };
}

/**
 * A console over a seeded service for the tests of one describe block: started and seeded before them,
 * stopped after them. `ready` hands both to the block; set-up of the block's own goes in a `beforeAll`
 * registered after this call, which runs after this one.
 */
export function seededConsole(ready: (c: ConsoleHarness, s: Seeded) => void, options?: ConsoleOptions): void {
  let c: ConsoleHarness | undefined;
  beforeAll(async () => {
    c = await startConsole(options);
    ready(c, await seed(c.t));
  });
  afterAll(async () => {
    await c?.stop();
  });
}
