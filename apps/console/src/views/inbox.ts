import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import type { ViewContext } from '../context.js';
import type { InboxItem } from '../types.js';
import { requestItem } from './requests.js';
import { sealAction, sealSummary } from './seal-card.js';
import { peopleRequestItem } from './people-request-card.js';

/** One page of what awaits the signed-in person's approval, across every tenant they may see. */
export async function inboxView(ctx: ViewContext, main: HTMLElement): Promise<void> {
  const inbox = await ctx.api.inbox();
  const done = (message: string) => {
    ctx.notify(message);
    ctx.refresh();
  };
  const item = (i: InboxItem): HTMLElement =>
    i.kind === 'change_request'
      ? requestItem(ctx, i.request, { value: i.before }, i.tenant.name)
      : i.kind === 'principal_request'
        ? peopleRequestItem(ctx, i.request, i.tenant.name, done)
        : h(
            'li',
            { class: 'request seal-request', 'data-seal': i.seal.id, 'data-tenant': i.tenant.slug },
            sealSummary(i.seal, i.purpose, i.tenant.name),
            sealAction(ctx, i.seal, i.purpose, done),
          );
  const requests = inbox.items.filter((i) => i.kind === 'change_request');
  const seals = inbox.items.filter((i) => i.kind === 'seal');
  const people = inbox.items.filter((i) => i.kind === 'principal_request');
  const group = (id: string, title: string, items: InboxItem[]) =>
    items.length ? h('section', { 'aria-labelledby': id }, h('h2', { id }, title), h('ul', { class: 'requests' }, items.map(item))) : null;
  replace(
    main,
    h('h1', { tabindex: -1 }, t('inboxTitle')),
    h('p', { class: 'intro' }, t(ctx.me.role === 'client_admin' ? 'inboxIntroClient' : 'inboxIntroOperator')),
    inbox.count === 0 ? h('p', { class: 'empty', 'data-note': 'inbox-empty' }, t('inboxEmpty')) : null,
    group('inbox-requests', t('inboxRequests', { n: requests.length }), requests),
    group('inbox-seals', t('inboxSeals', { n: seals.length }), seals),
    group('inbox-people', t('inboxPeople', { n: people.length }), people),
  );
}
