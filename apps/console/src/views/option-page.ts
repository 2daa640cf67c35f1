import { h, replace } from '../dom.js';
import { UNAVAILABLE, feature } from '../api.js';
import { plain, riskBadge } from '../format.js';
import { dateTime, local, t } from '../i18n.js';
import { dangerMark, isDangerous } from '../danger.js';
import type { ViewContext } from '../context.js';
import { eventsTable } from './history.js';
import { openEditor } from './option-editor.js';

/** One option of one tenant: what it does, its value in words, and its own timeline of changes. */
export async function optionPage(ctx: ViewContext, main: HTMLElement, slug: string, key: string): Promise<void> {
  const def = ctx.registry.get(key);
  const [tenant, options, history, seals] = await Promise.all([
    ctx.api.tenant(slug),
    ctx.api.options(slug),
    ctx.api.tenantAudit(slug, undefined, key),
    feature(ctx.api.seals(slug)),
  ]);
  const sealed = seals === UNAVAILABLE ? undefined : seals.find((x) => x.status === 'active');
  const o = options.find((x) => x.key === key);
  if (!def || !o) {
    replace(main, h('h1', { tabindex: -1 }, t('notFound')));
    return;
  }
  const danger = isDangerous(def, o.value);
  const edit =
    ctx.me.role === 'operator'
      ? h(
          'button',
          {
            type: 'button',
            disabled: sealed !== undefined,
            'aria-describedby': sealed ? 'sealed-note' : null,
            onclick: () =>
              openEditor(ctx, tenant, def, o, (message) => {
                ctx.notify(message);
                ctx.refresh();
              }),
          },
          t('edit'),
        )
      : null;
  replace(
    main,
    h('h1', { tabindex: -1 }, local(def.title), ' ', riskBadge(def.risk)),
    h('p', { class: 'muted' }, tenant.name, ' · ', h('code', {}, key)),
    h(
      'section',
      { class: `panel option-now${danger ? ' dangerous' : ''}`, 'aria-labelledby': 'option-about' },
      h('h2', { id: 'option-about' }, t('optionPage')),
      h('p', {}, local(def.description)),
      h(
        'p',
        { class: 'card-value' },
        t('stepLine', { step: t('currentValueIs'), state: plain(o.value, def.valueLabels) }),
        ' ',
        h('span', { class: `source source-${o.source}` }, t(`source_${o.source}`)),
      ),
      danger ? h('p', {}, dangerMark()) : null,
      o.updatedAt && o.updatedBy ? h('p', { class: 'muted' }, t('byWhom', { when: dateTime(o.updatedAt), who: o.updatedBy.name })) : null,
      edit ? h('div', { class: 'buttons' }, edit) : null,
      edit && sealed
        ? h('p', { class: 'notice', id: 'sealed-note', 'data-note': 'sealed' }, t('sealedNote', { label: sealed.label }))
        : null,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'option-history' },
      h('h2', { id: 'option-history' }, t('optionHistory')),
      eventsTable(ctx, history, (cursor) => ctx.api.tenantAudit(slug, cursor, key), false),
    ),
  );
}
