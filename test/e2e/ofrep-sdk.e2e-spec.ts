import type { AddressInfo } from 'node:net';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { ErrorCode, OpenFeature } from '@openfeature/server-sdk';
import { OPERATOR_TOKEN, createPrincipal, createTenant, startTestApp, type TestApp } from '../support/test-app.js';

// The voting platform's view: the official OpenFeature server SDK with the OFREP provider,
// one client per tenant, each holding only its own tenant's service token.
describe('OpenFeature SDK with the OFREP provider against a listening Cloison', () => {
  let t: TestApp;
  let baseUrl: string;

  const set = (tenant: string, key: string, value: unknown) =>
    t.as(OPERATOR_TOKEN).put(`/v1/tenants/${tenant}/options/${key}`).send({ value, reason: 'sdk test' }).expect(200);

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    await createTenant(t, 'alpha');
    await createTenant(t, 'beta');
    for (const [tenant, token] of [
      ['alpha', await createPrincipal(t, 'service', 'alpha')],
      ['beta', await createPrincipal(t, 'service', 'beta')],
    ]) {
      await OpenFeature.setProviderAndWait(tenant, new OFREPProvider({ baseUrl, headers: { authorization: `Bearer ${token}` } }));
    }
    await set('alpha', 'vote_weights', true);
    await set('alpha', 'ui_language', 'en');
    await set('alpha', 'sso', { enabled: true, issuer: 'https://id.alpha.example' });
    await set('beta', 'ui_language', 'de');
  });
  afterAll(async () => {
    await OpenFeature.close();
    await t?.stop();
  });

  it('reads boolean, string and object options of each tenant', async () => {
    const alpha = OpenFeature.getClient('alpha');
    const beta = OpenFeature.getClient('beta');
    const ctx = { targetingKey: 'voter-42' };

    const weights = await alpha.getBooleanDetails('vote_weights', false, ctx);
    expect(weights).toMatchObject({ value: true, reason: 'TARGETING_MATCH', variant: 'tenant' });
    expect(weights.errorCode).toBeUndefined();
    expect(await beta.getBooleanValue('vote_weights', true, ctx)).toBe(false);

    expect(await alpha.getStringValue('ui_language', 'fr', ctx)).toBe('en');
    expect(await beta.getStringValue('ui_language', 'fr', ctx)).toBe('de');
    const receipt = await beta.getStringDetails('voter_receipt', 'none', ctx);
    expect(receipt).toMatchObject({ value: 'hash_receipt', reason: 'STATIC', flagMetadata: { source: 'default', version: 0 } });

    expect(await alpha.getObjectValue('sso', {}, ctx)).toEqual({ enabled: true, issuer: 'https://id.alpha.example' });
    expect(await beta.getObjectValue('sso', {}, ctx)).toEqual({ enabled: false });
    expect(await alpha.getNumberValue('retention_days', 0, ctx)).toBe(365);
    // Lists are not an OFREP value type: they arrive as objects holding the list.
    expect(await alpha.getObjectValue('scrutineer_scope', {}, ctx)).toEqual({ items: ['turnout', 'event_log'] });
    expect(await alpha.getObjectValue('admin_ip_allowlist', { items: ['x'] }, ctx)).toEqual({ items: [] });
  });

  it('maps protocol errors to the caller default', async () => {
    const alpha = OpenFeature.getClient('alpha');
    const missing = await alpha.getBooleanDetails('no_such_option', true);
    expect(missing).toMatchObject({ value: true, errorCode: ErrorCode.FLAG_NOT_FOUND });
    const foreign = await alpha.getStringDetails('ui_language', 'fallback', { tenant: 'beta' });
    expect(foreign).toMatchObject({ value: 'fallback', errorCode: ErrorCode.INVALID_CONTEXT });
    // An option left empty (null, with a null default) has no value: the caller's default applies.
    const empty = await alpha.getStringDetails('audit_webhook_url', 'https://fallback.example', {});
    expect(empty).toMatchObject({ value: 'https://fallback.example', errorCode: ErrorCode.GENERAL });
    const long = await alpha.getBooleanDetails('k'.repeat(101), true);
    expect(long).toMatchObject({ value: true, errorCode: ErrorCode.FLAG_NOT_FOUND });
  });
});
