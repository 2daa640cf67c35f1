import { h } from '../dom.js';
import { errorBox } from '../format.js';
import { dateTime, t } from '../i18n.js';
import type { ViewContext } from '../context.js';
import type { PrincipalRequest } from '../types.js';

/**
 * An invitation or revocation of a tenant's client admin that waits for the signed-in person: what it
 * is, who asked, and the approval (the service judges who may give it: PrincipalRequestsService).
 */
export function peopleRequestItem(ctx: ViewContext, r: PrincipalRequest, tenantName: string, done: (message: string) => void): HTMLElement {
  const feedback = h('div', { 'aria-live': 'polite' });
  const invitation = r.kind === 'invitation';
  return h(
    'li',
    { class: 'request people-request', 'data-principal-request': r.id, 'data-tenant': r.tenant ?? '' },
    h(
      'h3',
      {},
      invitation ? t('peopleInvitation', { name: r.name, email: r.email ?? '' }) : t('peopleRevocation', { name: r.name }),
      h('span', { class: 'request-tenant' }, ` · ${tenantName}`),
    ),
    h(
      'p',
      { class: 'asked' },
      t(invitation ? 'peopleAsked' : 'peopleAskedRevocation', { who: r.requestedBy.name, when: dateTime(r.createdAt) }),
    ),
    h(
      'div',
      { class: 'buttons' },
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
          onclick: () =>
            void ctx.api.approvePrincipalRequest(r).then(
              () => done(t('peopleApproved', { name: r.name })),
              (err: unknown) => feedback.replaceChildren(errorBox(err)),
            ),
        },
        t('approve'),
      ),
    ),
    feedback,
  );
}
