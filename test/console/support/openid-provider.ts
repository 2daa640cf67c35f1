import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
// @ts-expect-error oidc-provider ships no type declarations; the few calls below are typed by hand.
import ProviderModule from 'oidc-provider';
import type { CloisonConfig } from '#config';

export const CONSOLE_CLIENT_ID = 'cloison-console';
export const CONSOLE_CLIENT_SECRET = 'console-client-secret-for-tests-only';

interface ProviderLike {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}
const Provider = ProviderModule as new (issuer: string, configuration: object) => ProviderLike;

/** The service's settings for staff tokens and console sign-in through the test provider at `issuer`. */
export function consoleSignInConfig(issuer: string, redirectUrl: string): Pick<CloisonConfig, 'oidc' | 'consoleSignIn'> {
  return {
    oidc: {
      issuer,
      audience: 'cloison-api',
      roleClaim: 'cloison_role',
      tenantClaim: 'cloison_tenant',
      algorithms: ['RS256', 'ES256', 'EdDSA'],
      clockToleranceSeconds: 5,
      maxTokenAgeSeconds: 3600,
      jwksCacheSeconds: 300,
    },
    consoleSignIn: { clientId: CONSOLE_CLIENT_ID, clientSecret: CONSOLE_CLIENT_SECRET, redirectUrl },
  };
}

export interface OpenIdProvider {
  /** http://127.0.0.1:<port> */
  issuer: string;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider 9) in this process on 127.0.0.1, with one confidential
 * client for the console (PKCE required) and its own login and consent pages (the library's
 * development interactions: any login name is an account whose subject is that name).
 */
export async function startOpenIdProvider(redirectUris: string[] | (() => string[])): Promise<OpenIdProvider> {
  // Listening first, on a port the system picks: the issuer names that port, and no other server
  // (this process's or another test worker's) can take it between choosing and listening.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createHttpServer((req, res) => handle(req, res));
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  // Made on the first request: a caller may learn its redirect URL (its own port) after the issuer's.
  const make = () =>
    new Provider(issuer, {
      clients: [
        {
          client_id: CONSOLE_CLIENT_ID,
          client_secret: CONSOLE_CLIENT_SECRET,
          redirect_uris: typeof redirectUris === 'function' ? redirectUris() : redirectUris,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      pkce: { required: () => true },
      cookies: { keys: ['cookie-key-for-tests-only'] },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
      findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id }) }),
    });
  let provider: ReturnType<ProviderLike['callback']> | undefined;
  handle = (req, res) => {
    provider ??= make().callback();
    provider(req, res);
  };
  return {
    issuer,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * Goes through the provider's login and consent pages over HTTP, as a browser would (cookies,
 * redirects, form posts), until the provider sends the browser to `redirectPrefix`; returns that URL.
 */
export async function authorizeAs(authorizationUrl: string, login: string, redirectPrefix: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let form: URLSearchParams | undefined;
  for (let step = 0; step < 12; step++) {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form?.toString(),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    form = undefined;
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      if (url.startsWith(redirectPrefix)) return url;
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`unexpected page from the provider (${res.status}): ${html.slice(0, 300)}`);
    url = new URL(action.replaceAll('&amp;', '&'), url).href;
    form = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
  }
  throw new Error('the provider never sent the browser back');
}
