import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import * as client from 'openid-client';
import { PrismaService } from '#persistence';
import { CONSOLE_SETTINGS, derivedKey, type ConsoleSettings } from './console-sessions.js';

/** Cookie carrying the state, nonce and PKCE verifier of a sign-in between the two redirects. */
export const SIGN_IN_COOKIE = 'cloison_sign_in';
export const CALLBACK_PATH = '/v1/console/callback';
const SIGN_IN_SECONDS = 600;

/** Plain http is accepted from a provider on this machine only (development, tests); anywhere else it is https. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  /** When the sign-in started (ms): a pending sign-in older than SIGN_IN_SECONDS is refused. */
  at: number;
  /** An invitation code to redeem for the identity the provider vouches for (a new client admin). */
  invitation?: string;
}

/** What an invitation code looks like (the invitation's own schema). */
export const INVITATION_CODE = /^inv_[A-Za-z0-9_-]{43}$/;

/** Query parameters of the provider's answer that would let whoever reads a log finish someone's sign-in. */
const SECRET_PARAMS = /([?&](?:code|state|session_state)=)[^&#]*/g;
const ANY_INVITATION_CODE = /inv_[A-Za-z0-9_-]{43}/g;
/** The sign-in path's last segment, however it is encoded. */
const SIGN_IN_SEGMENT = /(\/v1\/console\/sign-in\/)[^?#]*/i;

/**
 * A request URL as a log may keep it. An invitation code travels in the sign-in path
 * (`/v1/console/sign-in/<code>`) and is unused until the invitee is back from the provider:
 * whoever runs the service reads its log, and a code read there would redeem as a person of
 * its own. The provider's code and state on the callback are left out likewise.
 */
export function loggableUrl(url: string): string {
  return url.replace(SIGN_IN_SEGMENT, '$1[redacted]').replace(ANY_INVITATION_CODE, 'inv_[redacted]').replace(SECRET_PARAMS, '$1[redacted]');
}

/** Why a callback was refused: the code names it to the console, the status to everyone else. */
export type RefusalCode = 'no_sign_in' | 'state' | 'provider' | 'unknown_person' | 'invitation';

export class SignInRefused extends Error {
  constructor(
    readonly code: RefusalCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The person the provider vouched for, as the ID token names them. */
export interface ProvenIdentity {
  issuer: string;
  subject: string;
  /** The invitation code the sign-in was started with, if any. */
  invitation?: string;
}

/**
 * The console's sign-in through the organisation's OpenID provider: authorization code flow with
 * PKCE (S256), state and nonce, through openid-client. What the flow needs between the two
 * redirects travels in an encrypted, authenticated cookie (AES-256-GCM under a key derived from
 * the service key), so any instance can finish a sign-in another started. Only the ID token's
 * issuer and subject are used: they must name a registered, live principal.
 */
@Injectable()
export class ConsoleSignIn {
  private readonly key: Buffer;
  private readonly settings?: ConsoleSettings['signIn'];
  private readonly issuer?: string;
  private config?: Promise<client.Configuration>;

  constructor(
    @Inject(PrismaService) private readonly prisma: PrismaService,
    @Inject(CONSOLE_SETTINGS) settings: ConsoleSettings,
  ) {
    this.key = derivedKey(settings.serviceKey, 'console sign-in');
    this.settings = settings.signIn;
    this.issuer = settings.signIn?.issuer;
  }

  get enabled(): boolean {
    return this.settings !== undefined;
  }

  private configuration(): Promise<client.Configuration> {
    const s = this.settings;
    if (!s || !this.issuer) return Promise.reject(new Error('console sign-in is not configured'));
    const issuer = new URL(this.issuer);
    const options = LOOPBACK.has(issuer.hostname) ? { execute: [client.allowInsecureRequests] } : undefined;
    this.config ??= client.discovery(issuer, s.clientId, s.clientSecret, undefined, options).catch((err: unknown) => {
      this.config = undefined; // discover again on the next sign-in
      throw err;
    });
    return this.config;
  }

  /** The provider's authorization URL and the Set-Cookie value holding what the callback will check. */
  async start(invitation?: string): Promise<{ url: string; cookie: string }> {
    const config = await this.configuration();
    const pending: Pending = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      at: Date.now(),
      ...(invitation ? { invitation } : {}),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: (this.settings as { redirectUrl: string }).redirectUrl,
      scope: 'openid',
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, cookie: this.pendingCookie(this.seal(pending), SIGN_IN_SECONDS) };
  }

  /** Set-Cookie value removing the pending sign-in. */
  clearedCookie(): string {
    return this.pendingCookie('', 0);
  }

  /**
   * SameSite=Lax, not Strict: the provider sends the browser back with a top-level navigation
   * from its own site, on which a Strict cookie would not be sent. The path limits it to the callback.
   */
  private pendingCookie(value: string, maxAge: number): string {
    const secure = this.settings?.redirectUrl.startsWith('https://') ? '; Secure' : '';
    return `${SIGN_IN_COOKIE}=${value}; Path=${CALLBACK_PATH}; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
  }

  /**
   * Checks the provider's answer (`query`: the callback's query string) against the pending
   * sign-in: state, then the code exchanged with the PKCE verifier, the ID token's issuer,
   * audience, signature and nonce (openid-client). Throws SignInRefused.
   */
  async finish(query: string, sealed: string | undefined): Promise<ProvenIdentity> {
    const pending = sealed ? this.open(sealed) : null;
    if (!pending || Date.now() - pending.at > SIGN_IN_SECONDS * 1000) {
      throw new SignInRefused('no_sign_in', 400, 'no sign-in in progress in this browser (or it is older than 10 minutes): start again');
    }
    const callback = new URL((this.settings as { redirectUrl: string }).redirectUrl);
    callback.search = query;
    if (callback.searchParams.get('state') !== pending.state) {
      throw new SignInRefused('state', 400, 'the answer does not belong to the sign-in started in this browser (state): start again');
    }
    const config = await this.configuration();
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (err) {
      // openid-client's message is generic; the causes underneath name the claim or parameter.
      const why: string[] = [];
      for (let e: unknown = err; e instanceof Error && why.length < 3; e = e.cause) why.push(e.message);
      throw new SignInRefused('provider', 400, `the identity provider's answer was refused: ${why.join(': ')}`);
    }
    if (!claims || claims.iss !== this.issuer || typeof claims.sub !== 'string') {
      throw new SignInRefused('provider', 400, "the identity provider's answer names another issuer or no subject");
    }
    return { issuer: claims.iss, subject: claims.sub, ...(pending.invitation ? { invitation: pending.invitation } : {}) };
  }

  /** The live principal linked to this identity, or null. */
  async linkedTo(who: ProvenIdentity): Promise<{ id: string; name: string; role: string } | null> {
    const rows = await this.prisma.$queryRaw<{ id: string; name: string; role: string }[]>`
      SELECT id, name, role FROM cloison_authenticate_oidc(${who.issuer}, ${who.subject})`;
    return rows[0] ?? null;
  }

  /** The live principal linked to this identity, or a refusal naming it (nothing is ever created). */
  async principalOf(who: ProvenIdentity): Promise<{ id: string; name: string; role: string }> {
    const found = await this.linkedTo(who);
    if (!found) {
      throw new SignInRefused(
        'unknown_person',
        403,
        `no active Cloison account is linked to "${who.subject}" at ${who.issuer}: an operator registers people before they sign in`,
      );
    }
    return found;
  }

  private seal(p: Pending): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(p), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  private open(sealed: string): Pending | null {
    try {
      const raw = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const p = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as Pending;
      const ok =
        [p.state, p.nonce, p.verifier].every((v) => typeof v === 'string' && v.length > 0) &&
        typeof p.at === 'number' &&
        (p.invitation === undefined || INVITATION_CODE.test(p.invitation));
      return ok ? p : null;
    } catch {
      return null;
    }
  }
}
