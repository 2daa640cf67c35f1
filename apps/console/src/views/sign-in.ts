import { h, replace, uid } from '../dom.js';
import { Api, type Credentials } from '../api.js';
import { errorBox } from '../format.js';
import { ApiError } from '../api.js';
import { t } from '../i18n.js';
import type { Me } from '../types.js';

/**
 * Sign-in: through the organisation's identity provider when the server offers it (a plain link to
 * the server's sign-in route, which leaves the console and comes back with a session), and with a
 * token, checked against the API (`GET /v1/me`) before it is kept. `notice` says why the person is
 * here again (a session that ended).
 */
export function signInView(main: HTMLElement, onSignedIn: (credentials: Credentials, me: Me) => void, notice?: string, oidc = false): void {
  const id = uid('token');
  const input = h('input', { id, name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const feedback = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'sign-in',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const token = input.value.trim();
        void new Api({ token }).me().then(
          (me) => onSignedIn({ token }, me),
          (err: unknown) => {
            if (!(err instanceof ApiError && err.status === 401)) return replace(feedback, errorBox(err, form));
            input.setAttribute('aria-invalid', 'true');
            input.setAttribute('aria-describedby', `${id}-refused`);
            replace(feedback, h('p', { class: 'error', role: 'alert', id: `${id}-refused` }, t('tokenRefused')));
          },
        );
      },
    },
    h('div', { class: 'field' }, h('label', { for: id }, t('token')), input),
    feedback,
    h('button', { type: 'submit', class: 'primary' }, t('signIn')),
  );
  const ended = notice ? h('p', { class: 'notice', role: 'alert', 'data-note': 'session-ended' }, notice) : null;
  const provider = oidc ? providerSection() : null;
  replace(main, h('h1', { tabindex: -1 }, t('signInTitle')), ended, provider, h('p', {}, t('signInHelp')), form);
  if (!oidc) input.focus();
}

/**
 * Sign-in through the identity provider: a link to the server's route, which leaves the console.
 * An invitee enters the code from their invitation first: it is redeemed for their account there.
 */
function providerSection(): HTMLElement {
  const id = uid('invitation');
  const code = h('input', {
    id,
    name: 'invitation',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    pattern: 'inv_[A-Za-z0-9_-]{43}',
  });
  const accept = h(
    'form',
    {
      class: 'sign-in',
      'data-form': 'invitation',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const value = code.value.trim();
        if (/^inv_[A-Za-z0-9_-]{43}$/.test(value)) location.assign(`/v1/console/sign-in/${value}`);
        else code.setAttribute('aria-invalid', 'true');
      },
    },
    h('div', { class: 'field' }, h('label', { for: id }, t('invitationCode')), code),
    h('button', { type: 'submit' }, t('acceptInvitation')),
  );
  return h(
    'section',
    { class: 'sign-in-provider' },
    h('p', {}, t('signInProviderHelp')),
    h('p', {}, h('a', { class: 'button primary', href: '/v1/console/sign-in', 'data-sign-in': 'oidc' }, t('signInProvider'))),
    h('details', {}, h('summary', {}, t('invitationTitle')), accept),
    h('h2', {}, t('signInTokenTitle')),
  );
}
