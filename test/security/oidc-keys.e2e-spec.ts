import { FetchBackoff, OidcVerifier, type OidcSettings } from '#identity';
import { IDP_AUDIENCE, identityProvider, type IdentityProvider } from '../support/identity-provider.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Math.floor(Date.now() / 1000);

/**
 * The staff JWT check against a real issuer over HTTP: which claims are accepted, and what the
 * verifier fetches (discovery, key set) for good tokens, junk, rotated and removed keys.
 */
describe('OIDC verifier: claims, key set caching and back-off', () => {
  let idp: IdentityProvider;
  const settings = (more: Partial<OidcSettings> = {}): OidcSettings => ({
    issuer: idp.issuer,
    audience: IDP_AUDIENCE,
    roleClaim: 'cloison_role',
    tenantClaim: 'cloison_tenant',
    algorithms: ['ES256'],
    clockToleranceSeconds: 5,
    maxTokenAgeSeconds: 3600,
    jwksCacheSeconds: 300,
    ...more,
  });
  // Claims the verifier before registered principals required to accept a token at all.
  const operator = { cloison_role: 'operator' };

  beforeEach(async () => {
    idp = await identityProvider();
  });
  afterEach(async () => {
    await idp.close();
  });

  it('accepts only a string subject of 1 to 255 characters, none a control character', async () => {
    const v = new OidcVerifier(settings());
    expect(await v.verify(await idp.sign({ ...operator, sub: 'ada' }))).toMatchObject({ issuer: idp.issuer, subject: 'ada' });
    expect(await v.verify(await idp.sign({ ...operator, sub: 'x'.repeat(255) }))).not.toBeNull();
    expect(await v.verify(await idp.sign({ ...operator, sub: '\u{1F5F3}'.repeat(255) }))).not.toBeNull(); // code points
    for (const sub of [['ada'], '', 42, { id: 'ada' }, null, 'x'.repeat(256), '\u{1F5F3}'.repeat(256), 'ada\u0000', 'a\nb', undefined]) {
      expect({ sub, claims: await v.verify(await idp.sign({ ...operator, sub })) }).toEqual({ sub, claims: null });
    }
  });

  it('requires iat, refuses tokens issued in the future, older than the maximum age, or living longer', async () => {
    const v = new OidcVerifier(settings({ maxTokenAgeSeconds: 3600 }));
    const cases: Record<string, Record<string, unknown>> = {
      exp2999: { exp: Date.UTC(2999, 0, 1) / 1000 },
      iat2100: { iat: Date.UTC(2100, 0, 1) / 1000 },
      iatInTheFuture: { iat: now() + 60 },
      noIat: { iat: undefined },
      iatText: { iat: String(now()) },
      tooOld: { iat: now() - 3700, exp: now() + 60 },
      livesTooLong: { iat: now(), exp: now() + 3700 },
      noExp: { exp: undefined },
      notYetValid: { nbf: now() + 60 },
    };
    for (const [name, claims] of Object.entries(cases)) {
      expect({ name, claims: await v.verify(await idp.sign({ ...operator, ...claims })) }).toEqual({ name, claims: null });
    }
    expect(await v.verify(await idp.sign({ ...operator, iat: now() + 3 }))).not.toBeNull(); // within tolerance
    expect(await v.verify(await idp.sign({ ...operator, iat: now() - 3000, exp: now() + 500 }))).not.toBeNull();
  });

  it('refuses malformed and foreign tokens without fetching anything', async () => {
    const v = new OidcVerifier(settings());
    const junk = [
      await idp.sign({ ...operator, iss: 'https://evil.example.org' }),
      await idp.sign({ ...operator, aud: 'someone-else' }),
      await idp.sign({ ...operator, exp: now() - 60 }),
      await idp.sign({ ...operator, sub: ['staff-1'] }),
      'eyJhbGciOiJFUzI1NiJ9.eyJ4Ijo.c2ln',
      `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ iss: idp.issuer })).toString('base64url')}.c2ln`,
    ];
    for (const token of junk) expect(await v.verify(token)).toBeNull();
    expect(idp.hits).toEqual({ discovery: 0, jwks: 0, other: 0 });
  });

  it('backs off (bounded, doubling) while discovery fails: tokens meanwhile are refused and fetch nothing', async () => {
    idp.failDiscovery(true);
    // The back-off's own clock, moved by the test: how long signing and verifying take does not matter.
    let now = 1_000_000;
    const v = new OidcVerifier(settings(), new FetchBackoff(300, 600, () => now));
    for (let i = 0; i < 20; i++) expect(await v.verify(await idp.sign({ ...operator, sub: `junk-${i}` }))).toBeNull();
    expect(idp.hits.discovery).toBe(1);
    now += 299;
    expect(await v.verify(await idp.sign(operator))).toBeNull();
    expect(idp.hits.discovery).toBe(1);
    now += 51; // first delay (300 ms) over: one more attempt, then 600 ms
    for (let i = 0; i < 5; i++) expect(await v.verify(await idp.sign(operator))).toBeNull();
    expect(idp.hits.discovery).toBe(2);
    now += 200;
    expect(await v.verify(await idp.sign(operator))).toBeNull();
    expect(idp.hits.discovery).toBe(2);
    idp.failDiscovery(false);
    now += 450; // 650 ms since the second failure; the delay never exceeds 600 ms
    expect(await v.verify(await idp.sign(operator))).not.toBeNull();
    expect(idp.hits).toMatchObject({ discovery: 3, jwks: 1 });
  });

  it('backs off when the key set cannot be fetched', async () => {
    const v = new OidcVerifier(settings({ jwksUrl: `${idp.issuer}/missing.json` }), new FetchBackoff(60_000, 60_000));
    for (let i = 0; i < 10; i++) expect(await v.verify(await idp.sign({ ...operator, sub: `s-${i}` }))).toBeNull();
    expect(idp.hits.other).toBe(1);
  });

  it('fetches the key set again for an unknown key id, at most once per cooldown', async () => {
    const v = new OidcVerifier(settings({ jwksCooldownSeconds: 0.3 }));
    expect(await v.verify(await idp.sign(operator))).not.toBeNull();
    expect(idp.hits.jwks).toBe(1);
    await idp.addKey('k2');
    await sleep(350);
    expect(await v.verify(await idp.sign(operator, 'k2'))).not.toBeNull(); // rotated in: found by refetching
    expect(idp.hits.jwks).toBe(2);
    for (let i = 0; i < 10; i++) expect(await v.verify(await idp.sign(operator, `unknown-${i}`))).toBeNull();
    expect(idp.hits.jwks).toBe(2); // still cooling down
  });

  it('stops accepting a key the issuer removed once the cached key set is older than its maximum age', async () => {
    const v = new OidcVerifier(settings({ jwksCacheSeconds: 0.5 }));
    expect(await v.verify(await idp.sign(operator))).not.toBeNull();
    idp.unpublish('k1');
    expect(await v.verify(await idp.sign(operator))).not.toBeNull(); // cached for 0.5 s
    await sleep(600);
    expect(await v.verify(await idp.sign(operator))).toBeNull();
    expect(idp.hits.jwks).toBe(2);
  });
});
