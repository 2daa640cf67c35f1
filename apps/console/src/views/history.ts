import { h, type Child } from '../dom.js';
import { diffView } from '../format.js';
import { dateTime, t } from '../i18n.js';
import { eventSentence } from '../events.js';
import type { ViewContext } from '../context.js';
import type { AuditEvent, AuditPage } from '../types.js';

/** Actions whose before → after is a value of the option, worth showing line by line. */
const VALUE_CHANGES = new Set(['option.set', 'option.reset', 'option.default_applied']);

/**
 * Audit events newest first, each as a sentence in the person's language with its reason, and the
 * before → after of value changes. "Show older" is offered only while the log has more.
 */
export function eventsTable(
  ctx: ViewContext,
  first: AuditPage,
  next: (cursor: string) => Promise<AuditPage>,
  withTenant: boolean,
): HTMLElement {
  if (!first.items.length) return h('p', { class: 'muted', 'data-note': 'no-events' }, t('noEvents'));
  const body = h('tbody');
  const cell = (label: string, ...children: Child[]) => h('td', { 'data-label': label }, ...children);
  const row = (e: AuditEvent): HTMLElement => {
    const def = e.option ? ctx.registry.get(e.option) : undefined;
    const cells: Child[] = [
      withTenant ? cell(t('seq'), String(e.seq)) : null,
      cell(t('when'), h('time', { datetime: e.at }, dateTime(e.at))),
      withTenant ? cell(t('tenant'), e.tenant ?? '—') : null,
      cell(
        t('what'),
        h('p', { class: 'sentence' }, eventSentence(ctx, e)),
        e.reason ? h('p', { class: 'reason' }, t('stepLine', { step: t('reasonLabel'), state: e.reason })) : null,
      ),
      cell(t('change'), VALUE_CHANGES.has(e.action) ? diffView(e.before, e.after, def?.valueLabels) : null),
    ];
    return h('tr', { 'data-seq': e.seq, 'data-option': e.option ?? '', 'data-action': e.action }, cells);
  };
  const more = h('button', { type: 'button', class: 'more' }, t('more'));
  const add = (page: AuditPage) => {
    body.append(...page.items.map(row));
    if (page.nextCursor === null) more.remove();
    else more.onclick = () => void next(page.nextCursor as string).then(add);
  };
  const heads = [withTenant ? t('seq') : null, t('when'), withTenant ? t('tenant') : null, t('what'), t('change')].filter(
    (x): x is string => x !== null,
  );
  const box = h(
    'div',
    { class: 'events' },
    h(
      'table',
      { class: 'data events-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          heads.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      body,
    ),
    more,
  );
  add(first);
  return box;
}
