import { generateKeyPairSync } from 'node:crypto';
import { ConsoleSessions, changesState, readCookie, type ConsoleSettings } from './console-sessions.js';

const serviceKey = generateKeyPairSync('ed25519').privateKey;
const sessions = (redirectUrl?: string, key = serviceKey) => {
  const settings: ConsoleSettings = {
    idleSeconds: 1800,
    maxSeconds: 43200,
    serviceKey: key,
    ...(redirectUrl ? { signIn: { issuer: 'https://id.example.org', clientId: 'c', clientSecret: 's', redirectUrl } } : {}),
  };
  return new ConsoleSessions(undefined as never, settings);
};
const ID = 'A'.repeat(43);

describe('console session cookies and CSRF tokens', () => {
  it('the session cookie is HttpOnly, SameSite=Strict, path /; Secure exactly when the console is served over https', () => {
    expect(sessions('http://localhost:3000/v1/console/callback').sessionCookie(ID)).toBe(
      `cloison_session=${ID}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200`,
    );
    expect(sessions('https://c.example.org/v1/console/callback').sessionCookie(ID)).toMatch(/; Secure$/);
    expect(sessions('https://c.example.org/v1/console/callback').clearedCookie()).toMatch(/^cloison_session=; .*Max-Age=0; Secure$/);
  });

  it('a CSRF token belongs to one session and one service key', () => {
    const s = sessions();
    const token = s.csrfToken(ID);
    expect(s.csrfMatches(ID, token)).toBe(true);
    expect(s.csrfMatches('B'.repeat(43), token)).toBe(false);
    expect(s.csrfMatches(ID, `${token.slice(0, -1)}x`)).toBe(false);
    expect(s.csrfMatches(ID, undefined)).toBe(false);
    expect(s.csrfMatches(ID, [token, token])).toBe(false);
    expect(sessions(undefined, generateKeyPairSync('ed25519').privateKey).csrfMatches(ID, token)).toBe(false);
  });

  it('reads one cookie out of a Cookie header; only GET and HEAD (and OPTIONS) change nothing', () => {
    expect(readCookie('a=1; cloison_session=xyz; b=2', 'cloison_session')).toBe('xyz');
    expect(readCookie('xcloison_session=1', 'cloison_session')).toBeUndefined();
    expect(readCookie(undefined, 'cloison_session')).toBeUndefined();
    expect(['GET', 'head', 'OPTIONS'].map(changesState)).toEqual([false, false, false]);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(changesState)).toEqual([true, true, true, true]);
  });
});
