import { createServer, type Server } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export const IDP_AUDIENCE = 'cloison-api';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

/**
 * A tiny identity provider over real HTTP: discovery document + key set, with keys that can be
 * added and removed, a switch that makes discovery fail, and counters of what was fetched.
 */
export async function identityProvider() {
  const keys = new Map<string, SigningKey>();
  const published = new Set<string>();
  let issuer = '';
  const hits = { discovery: 0, jwks: 0, other: 0 };
  let discoveryFails = false;
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      hits.discovery++;
      if (discoveryFails) res.writeHead(503).end('{}');
      else res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks.json` }));
    } else if (req.url === '/jwks.json') {
      hits.jwks++;
      res.end(JSON.stringify({ keys: [...published].map((kid) => keys.get(kid)?.jwk) }));
    } else {
      hits.other++;
      res.writeHead(404).end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  async function addKey(kid: string, publish = true): Promise<void> {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    keys.set(kid, { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } });
    if (publish) published.add(kid);
  }
  await addKey('k1');

  /**
   * Signs `claims` over defaults (iss, aud, sub "staff-1", iat now, exp in 5 minutes); a claim
   * given as undefined is left out.
   */
  async function sign(claims: Record<string, unknown> = {}, kid = 'k1'): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = { iss: issuer, aud: IDP_AUDIENCE, sub: 'staff-1', iat: now, exp: now + 300, ...claims };
    for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
    const key = keys.get(kid) ?? keys.get('k1');
    return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid }).sign((key as SigningKey).privateKey);
  }

  return {
    issuer,
    server,
    hits,
    sign,
    addKey,
    publish: (kid: string) => published.add(kid),
    unpublish: (kid: string) => published.delete(kid),
    failDiscovery: (fail: boolean) => {
      discoveryFails = fail;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export type IdentityProvider = Awaited<ReturnType<typeof identityProvider>>;
