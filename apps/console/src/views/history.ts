import { h, type Child } from '../dom.js';
import { diffView } from '../format.js';
import { dateTime, local } from '../i18n.js';
import { t } from '../i18n.js';
import type { ViewContext } from '../context.js';
import type { AuditEvent, AuditPage } from '../types.js';

/** Audit events as a table, newest first, each with its before → after; "older" loads the next page. */
export function eventsTable(ctx: ViewContext, first: AuditPage, next: (cursor: string) => Promise<AuditPage>, withTenant: boolean): HTMLElement {
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'more' }, t('more'));
  const row = (e: AuditEvent): HTMLElement => {
    const def = e.option ? ctx.registry.get(e.option) : undefined;
    const cells: Child[] = [
      h('td', {}, String(e.seq)),
      h('td', {}, h('time', { datetime: e.at }, dateTime(e.at))),
      withTenant ? h('td', {}, e.tenant ?? '—') : null,
      h('td', {}, e.actor.name, h('br'), h('span', { class: 'muted' }, e.actor.role)),
      h('td', {}, h('code', {}, e.action), e.option ? [h('br'), def ? local(def.title) : e.option] : null),
      h('td', {}, diffView(e.before, e.after, def?.valueLabels), e.reason ? h('p', { class: 'reason' }, `${t('reasonLabel')}: ${e.reason}`) : null),
    ];
    return h('tr', { 'data-seq': e.seq, 'data-option': e.option ?? '' }, cells);
  };
  const add = (page: AuditPage) => {
    body.append(...page.items.map(row));
    more.hidden = page.nextCursor === null;
    more.onclick = page.nextCursor === null ? null : () => void next(page.nextCursor as string).then(add);
  };
  add(first);
  if (!first.items.length) return h('p', { class: 'muted' }, t('noEvents'));
  const heads = [t('seq'), t('when'), withTenant ? t('tenant') : null, t('who'), t('what'), t('change')].filter((x): x is string => x !== null);
  return h(
    'div',
    { class: 'events' },
    h('table', { class: 'data events-table' }, h('thead', {}, h('tr', {}, heads.map((c) => h('th', { scope: 'col' }, c)))), body),
    more,
  );
}
