import { Api, ApiError, consoleSession, type Credentials } from './api.js';
import type { ViewContext } from './context.js';
import { h, replace } from './dom.js';
import { errorBox } from './format.js';
import { lang, setLang, t, type Lang, type TextKey } from './i18n.js';
import type { Me, OptionDefinition } from './types.js';
import { complianceView, filtersFrom } from './views/compliance.js';
import { inboxView } from './views/inbox.js';
import { bulkView } from './views/bulk.js';
import { exposureView } from './views/exposure.js';
import { optionPage } from './views/option-page.js';
import { tenantView, tenantsView } from './views/operator.js';
import { organisationView } from './views/organisation.js';
import { signInView } from './views/sign-in.js';

const TOKEN_KEY = 'cloison.token';

interface Session {
  api: Api;
  me: Me;
  registry: Map<string, OptionDefinition>;
}

let session: Session | null = null;
let statusText = '';
/** The count in the header's inbox link, refreshed after every view is drawn. */
const inboxCount = h('span', { class: 'count', 'data-inbox-count': '' });

const root = document.getElementById('app') as HTMLElement;
const main = h('main', { id: 'main', tabindex: -1 });
const status = h('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' });

const HOME: Record<Me['role'], string> = { operator: '#/tenants', compliance: '#/audit', client_admin: '#/org', service: '#/none' };
const NAV: Record<Me['role'], [string, TextKey][]> = {
  operator: [
    ['#/inbox', 'navInbox'],
    ['#/tenants', 'navTenants'],
    ['#/exposure', 'navExposure'],
    ['#/bulk', 'navBulk'],
    ['#/audit', 'navAudit'],
  ],
  compliance: [
    ['#/audit', 'navAudit'],
    ['#/tenants', 'navTenants'],
    ['#/exposure', 'navExposure'],
  ],
  client_admin: [
    ['#/org', 'navOrganisation'],
    ['#/inbox', 'navInbox'],
    ['#/audit', 'navHistory'],
  ],
  service: [],
};

function shell(): void {
  const langSelect = h(
    'select',
    {
      id: 'lang',
      onchange: (e: Event) => (setLang((e.target as HTMLSelectElement).value as Lang), shell(), session ? void route(false) : drawSignIn()),
    },
    h('option', { value: 'en', selected: lang() === 'en', lang: 'en' }, 'English'),
    h('option', { value: 'fr', selected: lang() === 'fr', lang: 'fr' }, 'Français'),
  );
  const skip = h('a', { class: 'skip', href: '#main', onclick: (e: Event) => (e.preventDefault(), main.focus()) }, t('skip'));
  const current = location.hash.split('?')[0];
  const nav = session
    ? h(
        'nav',
        { 'aria-label': t('appTitle') },
        h(
          'ul',
          {},
          NAV[session.me.role].map(([href, key]) =>
            h(
              'li',
              {},
              h('a', { href, 'aria-current': current?.startsWith(href) ? 'page' : null }, t(key), key === 'navInbox' ? inboxCount : null),
            ),
          ),
        ),
      )
    : null;
  const who = session
    ? [
        h('span', { class: 'who' }, t('signedInAs', { name: session.me.name, role: t(`role_${session.me.role}`) })),
        h('button', { type: 'button', onclick: () => signOut() }, t('signOut')),
      ]
    : null;
  replace(
    root,
    skip,
    h(
      'header',
      { class: 'top' },
      h('p', { class: 'brand' }, 'Cloison'),
      nav,
      h('div', { class: 'session' }, h('label', { for: 'lang' }, t('language')), langSelect, who),
    ),
    status,
    main,
  );
  status.textContent = statusText;
  document.title = t('appTitle');
}

/** The number of items awaiting the person, in the header; nothing when the server has no inbox. */
async function updateInboxCount(s: Session): Promise<void> {
  if (!NAV[s.me.role].some(([href]) => href === '#/inbox')) return;
  try {
    const { count } = await s.api.inbox();
    inboxCount.dataset.inboxCount = String(count);
    replace(
      inboxCount,
      count
        ? [h('span', { 'aria-hidden': 'true' }, String(count)), h('span', { class: 'sr-only' }, ` (${t('inboxBadge', { n: count })})`)]
        : [],
    );
    inboxCount.hidden = count === 0;
  } catch {
    inboxCount.hidden = true;
  }
}

/** Back to the sign-in page; `notice` says why when it was not the person's choice. */
/** Whether the sign-in page says the session ended (kept so a language switch redraws it in the new language). */
let ended = false;
/** Whether the session that ended was a console session (signed in through the identity provider). */
let endedProvider = false;
/** Whether the server offers sign-in through the organisation's identity provider. */
let oidcOffered = false;

function drawSignIn(): void {
  signInView(main, signedIn, ended ? t(endedProvider ? 'sessionEndedProvider' : 'sessionEnded') : undefined, oidcOffered);
}

function signOut(sessionEnded = false): void {
  ended = sessionEnded;
  endedProvider = session?.api.cookieSession ?? false;
  sessionStorage.removeItem(TOKEN_KEY);
  // A console session ends on the server too (the cookie alone is not the session).
  if (!sessionEnded && session?.api.cookieSession) void session.api.signOut().catch(() => undefined);
  session = null;
  statusText = '';
  location.hash = '';
  shell();
  drawSignIn();
}

/**
 * A 401 in the middle of a session means the token no longer works (revoked, expired): nothing
 * the person sees can be trusted to be current, so the console returns to the sign-in page.
 */
function sessionEnded(api: Api): void {
  if (session?.api === api) signOut(true);
}

async function signedIn(credentials: Credentials, me: Me): Promise<void> {
  ended = false;
  const api: Api = new Api(credentials, () => sessionEnded(api));
  const defs = await api.registry();
  if ('token' in credentials) sessionStorage.setItem(TOKEN_KEY, credentials.token);
  session = { api, me, registry: new Map(defs.map((d) => [d.key, d])) };
  shell();
  // Moving to the role's home fires hashchange, whose listener draws it: drawing here too would draw
  // it twice, the second replacing the first while someone may already be using it.
  if (!location.hash || location.hash === '#/') location.hash = HOME[me.role];
  else await route(true);
}

function context(s: Session): ViewContext {
  return {
    ...s,
    refresh: () => void route(false),
    notify: (message: string) => {
      statusText = message;
      status.textContent = message;
    },
  };
}

/** Draws the view of the address; `moved` puts the focus on its heading (a new page for screen readers). */
async function route(moved: boolean): Promise<void> {
  if (!session) return;
  const ctx = context(session);
  const [path = '', search = ''] = location.hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (moved) {
    statusText = '';
    status.textContent = '';
  }
  main.setAttribute('aria-busy', 'true');
  try {
    if (parts[0] === 'inbox') await inboxView(ctx, main);
    else if (parts[0] === 'bulk' && session.me.role === 'operator') await bulkView(ctx, main);
    else if (parts[0] === 'exposure') await exposureView(ctx, main);
    else if (parts[0] === 'tenants' && parts[1] && parts[2] === 'options' && parts[3]) await optionPage(ctx, main, parts[1], parts[3]);
    else if (parts[0] === 'org' && parts[1] === 'options' && parts[2] && session.me.tenant)
      await optionPage(ctx, main, session.me.tenant, parts[2]);
    else if (parts[0] === 'tenants' && parts[1]) await tenantView(ctx, main, parts[1]);
    else if (parts[0] === 'tenants') await tenantsView(ctx, main);
    else if (parts[0] === 'org' && session.me.tenant) await organisationView(ctx, main, session.me.tenant);
    else if (parts[0] === 'audit') await complianceView(ctx, main, filtersFrom(new URLSearchParams(search)));
    else if (session.me.role === 'service') replace(main, h('h1', { tabindex: -1 }, t('appTitle')), h('p', {}, t('noView')));
    else replace(main, h('h1', { tabindex: -1 }, t('notFound')));
  } catch (err) {
    // The session ended meanwhile: the sign-in page is already drawn.
    if (!session) return;
    replace(main, h('h1', { tabindex: -1 }, t('appTitle')), errorBox(err));
  } finally {
    // Focus first, then say the view is drawn: whoever waits for it (tests, scripts) finds the focus settled.
    if (moved) (main.querySelector('h1') as HTMLElement | null)?.focus();
    // Which address the content shows: lets tests (and scripts) wait for the right view.
    main.dataset.rendered = location.hash;
    main.removeAttribute('aria-busy');
  }
  if (session) await updateInboxCount(session);
}

window.addEventListener('hashchange', () => {
  shell();
  void route(true);
});

async function start(): Promise<void> {
  setLang(lang());
  shell();
  const token = sessionStorage.getItem(TOKEN_KEY);
  const server = await consoleSession();
  oidcOffered = server.oidc;
  const credentials: Credentials | null = token ? { token } : server.session ? { csrfToken: server.session.csrfToken } : null;
  if (credentials) {
    try {
      await signedIn(credentials, await new Api(credentials).me());
      return;
    } catch (err) {
      sessionStorage.removeItem(TOKEN_KEY);
      if (err instanceof ApiError && err.status === 401) {
        signOut(true);
        return;
      }
    }
  }
  drawSignIn();
}

void start();
