import {
  OPERATOR_TOKEN,
  createTenant,
  outboxCode,
  sendInvitation,
  startTestApp,
  cookieValue,
  setCookie,
  type TestApp,
} from '../support/test-app.js';
import {
  CONSOLE_CLIENT_ID,
  consoleSignInConfig,
  authorizeAs,
  startOpenIdProvider,
  type OpenIdProvider,
} from '../console/support/openid-provider.js';
import { freePort } from '../support/free-port.js';

/**
 * Console sign-in through a real OpenID provider (oidc-provider, in this process), without a
 * browser: the callback's refusals (state, PKCE verifier, nonce, issuer, unknown or revoked
 * people) and the session's rules (CSRF, idle and absolute expiry, sign-out, revocation).
 */
describe('console sign-in through the OpenID provider (API)', () => {
  let t: TestApp;
  let idp: OpenIdProvider;
  let otherIdp: OpenIdProvider;
  let redirectUrl: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    redirectUrl = `http://localhost:${await freePort()}/v1/console/callback`;
    idp = await startOpenIdProvider([redirectUrl]);
    otherIdp = await startOpenIdProvider([redirectUrl]);
    t = await startTestApp({
      ...consoleSignInConfig(idp.issuer, redirectUrl),
      consoleSession: { idleSeconds: 600, maxSeconds: 3600 },
    });
    await createTenant(t, 'alpha');
    await createTenant(t, 'beta');
    await createTenant(t, 'gamma');
    for (const [subject, role, tenant] of [
      ['alice', 'client_admin', 'alpha'],
      ['bruno', 'client_admin', 'beta'],
      ['grace', 'compliance', undefined],
    ] as const) {
      const res = await t
        .as(OPERATOR_TOKEN)
        .post('/v1/principals')
        .send({ name: `${subject} (${role})`, role, ...(tenant ? { tenant } : {}), oidc: { subject } });
      if (res.status !== 201) throw new Error(`registering ${subject}: ${res.status} ${res.text}`);
      ids[subject] = res.body.id;
    }
  });
  afterAll(async () => {
    await t?.stop();
    await idp?.close();
    await otherIdp?.close();
  });

  /** Starts a sign-in, goes through the provider as `login` (after `tamper` edits the authorization URL), calls back. */
  async function signIn(
    login: string,
    tamper?: (auth: URL) => void,
    opts: { pending?: boolean; state?: string; invitation?: string } = {},
  ) {
    const start = await t.http.get(`/v1/console/sign-in${opts.invitation ? `/${opts.invitation}` : ''}`).expect(302);
    const pending = cookieValue(setCookie(start, 'cloison_sign_in'));
    const auth = new URL(start.headers.location as string);
    tamper?.(auth);
    const back = new URL(await authorizeAs(auth.href, login, redirectUrl));
    if (opts.state) back.searchParams.set('state', opts.state);
    const call = t.http.get(`/v1/console/callback${back.search}`);
    return opts.pending === false ? call : call.set('cookie', `cloison_sign_in=${pending}`);
  }

  async function sessions(principal: string): Promise<number> {
    return t.superuser(
      async (c) => (await c.query('SELECT count(*)::int AS n FROM console_sessions WHERE principal_id = $1', [principal])).rows[0].n,
    );
  }

  it('starts with PKCE (S256), state and nonce, keeping them in a Lax, HttpOnly cookie for the callback only', async () => {
    const res = await t.http.get('/v1/console/sign-in').expect(302);
    const auth = new URL(res.headers.location as string);
    expect(auth.origin).toBe(idp.issuer);
    expect(Object.fromEntries(auth.searchParams)).toMatchObject({
      client_id: CONSOLE_CLIENT_ID,
      redirect_uri: redirectUrl,
      response_type: 'code',
      scope: 'openid',
      code_challenge_method: 'S256',
    });
    for (const p of ['state', 'nonce', 'code_challenge']) expect(auth.searchParams.get(p)).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const cookie = setCookie(res, 'cloison_sign_in') as string;
    expect(cookie).toMatch(/; Path=\/v1\/console\/callback; HttpOnly; SameSite=Lax; Max-Age=600$/);
    // The verifier never leaves the server in clear: the cookie is sealed.
    expect(cookie).not.toContain(auth.searchParams.get('state') as string);
  });

  it('a registered client admin signs in: a Strict, HttpOnly session cookie, then the API answers as them', async () => {
    const res = await signIn('alice');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/console/');
    const cookie = setCookie(res, 'cloison_session') as string;
    expect(cookie).toMatch(/^cloison_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=3600$/);
    expect(setCookie(res, 'cloison_sign_in')).toMatch(/Max-Age=0/);
    const sid = cookieValue(cookie);
    const me = await t.http.get('/v1/me').set('cookie', `cloison_session=${sid}`).expect(200);
    expect(me.body).toMatchObject({ id: ids.alice, role: 'client_admin', tenant: 'alpha' });
    // The database keeps the hash only.
    const stored = await t.superuser(async (c) => (await c.query('SELECT id_hash, tenant_id FROM console_sessions')).rows);
    expect(JSON.stringify(stored)).not.toContain(sid);
    // The tenant boundary holds as with a token: another tenant is a 404.
    await t.http.get('/v1/tenants/beta/options').set('cookie', `cloison_session=${sid}`).expect(404);
    const info = await t.http.get('/v1/console/session').set('cookie', `cloison_session=${sid}`).expect(200);
    expect(info.body).toMatchObject({ oidc: true, session: { csrfToken: expect.any(String) } });
  });

  it('refuses an answer whose state is not the one started in this browser, and creates no session', async () => {
    const before = await sessions(ids.alice as string);
    const res = await signIn('alice', undefined, { state: 'x'.repeat(43) });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/state/);
    expect(setCookie(res, 'cloison_session')).toBeUndefined();
    expect(await sessions(ids.alice as string)).toBe(before);
  });

  it('refuses a callback without the pending sign-in (no PKCE verifier), or with a forged one', async () => {
    const res = await signIn('alice', undefined, { pending: false });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/no sign-in in progress/);
    const forged = await t.http
      .get('/v1/console/callback?code=abc&state=def')
      .set('cookie', 'cloison_sign_in=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(forged.status).toBe(400);
    expect(setCookie(forged, 'cloison_session')).toBeUndefined();
  });

  it('refuses an ID token whose nonce is not the one sent (a code obtained for another request)', async () => {
    const res = await signIn('alice', (auth) => auth.searchParams.set('nonce', 'n'.repeat(43)));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/nonce/);
    expect(setCookie(res, 'cloison_session')).toBeUndefined();
  });

  it('refuses a code from another issuer, even with the same client and the right state', async () => {
    const res = await signIn('alice', (auth) => {
      auth.host = new URL(otherIdp.issuer).host;
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/iss/i);
    expect(setCookie(res, 'cloison_session')).toBeUndefined();
  });

  it('refuses a person the provider knows but Cloison does not, and creates nobody', async () => {
    const before = await t.superuser(async (c) => (await c.query('SELECT count(*)::int AS n FROM principals')).rows[0].n);
    const res = await signIn('mallory');
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/no active Cloison account is linked to "mallory"/);
    expect(setCookie(res, 'cloison_session')).toBeUndefined();
    const page = await signIn('mallory').then((r) => r);
    expect(page.status).toBe(403);
    const after = await t.superuser(async (c) => (await c.query('SELECT count(*)::int AS n FROM principals')).rows[0].n);
    expect(after).toBe(before);
  });

  it('shows a browser a page, not JSON, when it refuses', async () => {
    const start = await t.http.get('/v1/console/sign-in').expect(302);
    const pending = cookieValue(setCookie(start, 'cloison_sign_in'));
    const back = new URL(await authorizeAs(start.headers.location as string, 'mallory', redirectUrl));
    const res = await t.http
      .get(`/v1/console/callback${back.search}`)
      .set('cookie', `cloison_sign_in=${pending}`)
      .set('accept', 'text/html,application/xhtml+xml');
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('data-refusal="unknown_person"');
    expect(res.text).toContain('/console/');
  });

  it('needs the CSRF token for every change made with the cookie; refused, nothing changes', async () => {
    const sid = cookieValue(setCookie(await signIn('alice'), 'cloison_session'));
    const csrf = (await t.http.get('/v1/console/session').set('cookie', `cloison_session=${sid}`)).body.session.csrfToken as string;
    const before = await t.snapshot();
    const body = { email: 'colleague@alpha.example', name: 'A colleague' };
    const without = await t.http.post('/v1/tenants/alpha/invitations').set('cookie', `cloison_session=${sid}`).send(body);
    expect(without.status).toBe(403);
    expect(without.body.message).toMatch(/x-cloison-csrf/);
    const wrong = await t.http
      .post('/v1/tenants/alpha/invitations')
      .set('cookie', `cloison_session=${sid}`)
      .set('x-cloison-csrf', `${csrf.slice(0, -2)}AA`)
      .send(body);
    expect(wrong.status).toBe(403);
    expect(await t.snapshot()).toEqual(before);
    // Reads need none; the same change with the token goes through.
    await t.http.get('/v1/tenants/alpha/principals').set('cookie', `cloison_session=${sid}`).expect(200);
    const ok = await t.http
      .post('/v1/tenants/alpha/invitations')
      .set('cookie', `cloison_session=${sid}`)
      .set('x-cloison-csrf', csrf)
      .send(body);
    expect(ok.status).toBeLessThan(300);
    // Another session's token is not this session's.
    const other = cookieValue(setCookie(await signIn('alice'), 'cloison_session'));
    const cross = await t.http
      .post('/v1/tenants/alpha/invitations')
      .set('cookie', `cloison_session=${other}`)
      .set('x-cloison-csrf', csrf)
      .send({ email: 'third@alpha.example', name: 'Third' });
    expect(cross.status).toBe(403);
  });

  it('a bearer token needs no CSRF token and wins over a cookie', async () => {
    const sid = cookieValue(setCookie(await signIn('alice'), 'cloison_session'));
    const res = await t.http.get('/v1/me').set('cookie', `cloison_session=${sid}`).set('authorization', `Bearer ${OPERATOR_TOKEN}`);
    expect(res.body.role).toBe('operator');
    await t.as(OPERATOR_TOKEN).post('/v1/console/sign-out').set('cookie', `cloison_session=${sid}`).expect(204);
    // Signing out with a token ends no console session.
    await t.http.get('/v1/me').set('cookie', `cloison_session=${sid}`).expect(200);
  });

  it('ends a session idle too long, or past its absolute end', async () => {
    const idle = cookieValue(setCookie(await signIn('alice'), 'cloison_session'));
    const old = cookieValue(setCookie(await signIn('alice'), 'cloison_session'));
    await t.http.get('/v1/me').set('cookie', `cloison_session=${idle}`).expect(200);
    await t.superuser(async (c) => {
      // Idle: last used 11 minutes ago (limit 10). Absolute: started long ago, used just now.
      await c.query(
        `UPDATE console_sessions SET last_seen_at = now() - interval '11 minutes' WHERE id_hash = encode(sha256($1::bytea), 'hex')`,
        [idle],
      );
      await c.query(
        `UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE id_hash = encode(sha256($1::bytea), 'hex')`,
        [old],
      );
    });
    for (const sid of [idle, old]) {
      const res = await t.http.get('/v1/me').set('cookie', `cloison_session=${sid}`);
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/console session ended/);
    }
    const info = await t.http.get('/v1/console/session').set('cookie', `cloison_session=${idle}`).expect(200);
    expect(info.body.session).toBeNull();
  });

  it('sign-out ends the session on the server and clears the cookie: the old cookie gets 401', async () => {
    const sid = cookieValue(setCookie(await signIn('alice'), 'cloison_session'));
    const csrf = (await t.http.get('/v1/console/session').set('cookie', `cloison_session=${sid}`)).body.session.csrfToken as string;
    await t.http.post('/v1/console/sign-out').set('cookie', `cloison_session=${sid}`).expect(403);
    const out = await t.http.post('/v1/console/sign-out').set('cookie', `cloison_session=${sid}`).set('x-cloison-csrf', csrf).expect(204);
    expect(setCookie(out, 'cloison_session')).toMatch(/^cloison_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
    await t.http.get('/v1/me').set('cookie', `cloison_session=${sid}`).expect(401);
    const left = await t.superuser(
      async (c) =>
        (await c.query(`SELECT count(*)::int AS n FROM console_sessions WHERE id_hash = encode(sha256($1::bytea), 'hex')`, [sid])).rows[0]
          .n,
    );
    expect(left).toBe(0);
  });

  it('revoking a principal ends its sessions at once, and it cannot sign in again', async () => {
    const sid = cookieValue(setCookie(await signIn('grace'), 'cloison_session'));
    await t.http.get('/v1/audit').set('cookie', `cloison_session=${sid}`).expect(200);
    expect(await sessions(ids.grace as string)).toBeGreaterThan(0);
    await t.as(OPERATOR_TOKEN).post(`/v1/principals/${ids.grace}/revoke`).send({}).expect(200);
    await t.http.get('/v1/audit').set('cookie', `cloison_session=${sid}`).expect(401);
    expect(await sessions(ids.grace as string)).toBe(0);
    expect((await signIn('grace')).status).toBe(403);
  });

  it('an invitation redeemed through the provider links that account as a client admin of its own person, once', async () => {
    await sendInvitation(t, 'gamma', { email: 'carla@gamma.example', name: 'Carla' });
    const code = outboxCode(t, 'carla@gamma.example');
    // An account that already has access cannot take an invitation: it stays unused.
    const taken = await signIn('alice', undefined, { invitation: code });
    expect(taken.status).toBe(409);
    const res = await signIn('carla', undefined, { invitation: code });
    expect(res.status).toBe(303);
    const sid = cookieValue(setCookie(res, 'cloison_session'));
    const me = await t.http.get('/v1/me').set('cookie', `cloison_session=${sid}`).expect(200);
    expect(me.body).toMatchObject({ role: 'client_admin', tenant: 'gamma', name: 'Carla' });
    const row = await t.superuser(
      async (c) =>
        (await c.query('SELECT lineage_id, oidc_issuer, oidc_subject, token_hash FROM principals WHERE id = $1', [me.body.id])).rows[0],
    );
    expect(row).toEqual({ lineage_id: me.body.id, oidc_issuer: idp.issuer, oidc_subject: 'carla', token_hash: null });
    const audit = await t.as(OPERATOR_TOKEN).get('/v1/tenants/gamma/audit').expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['invitation.redeemed', 'principal.created']),
    );
    // Once: the code does not make a second account.
    const again = await signIn('dave', undefined, { invitation: code });
    expect(again.status).toBe(409);
    expect((await signIn('dave')).status).toBe(403);
  });
});
