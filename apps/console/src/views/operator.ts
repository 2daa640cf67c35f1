import { h, replace } from '../dom.js';
import { errorBox, plain } from '../format.js';
import { dateTime, local, t } from '../i18n.js';
import type { ViewContext } from '../context.js';
import { RISKS_DESC, type OptionView } from '../types.js';
import { openEditor } from './option-editor.js';
import { requestsPanel } from './requests.js';
import { dangerMark, isDangerous } from '../danger.js';

export async function tenantsView(ctx: ViewContext, main: HTMLElement): Promise<void> {
  const tenants = await ctx.api.tenants();
  replace(
    main,
    h('h1', { tabindex: -1 }, t('tenantsTitle')),
    h(
      'table',
      { class: 'data' },
      h('thead', {}, h('tr', {}, [t('slug'), t('name'), t('riskLevel'), t('created')].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        tenants.map((tn) =>
          h(
            'tr',
            {},
            h('td', {}, h('a', { href: `#/tenants/${encodeURIComponent(tn.slug)}` }, tn.slug)),
            h('td', {}, tn.name),
            h('td', {}, String(tn.riskLevel)),
            h('td', {}, dateTime(tn.createdAt)),
          ),
        ),
      ),
    ),
  );
}

function lastChange(o: OptionView): string {
  return o.updatedAt && o.updatedBy ? t('byWhom', { when: dateTime(o.updatedAt), who: o.updatedBy.name }) : t('never');
}

/** One tenant's options, grouped by risk (critical first), each editable by an operator. */
export async function tenantView(ctx: ViewContext, main: HTMLElement, slug: string): Promise<void> {
  const [tenant, options] = await Promise.all([ctx.api.tenant(slug), ctx.api.options(slug)]);
  const canEdit = ctx.me.role === 'operator';

  const row = (o: OptionView) => {
    const def = ctx.registry.get(o.key);
    const title = def ? local(def.title) : o.key;
    const danger = isDangerous(def, o.value);
    return h(
      'tr',
      { 'data-option': o.key, class: [o.source === 'tenant' ? 'own' : '', danger ? 'dangerous' : ''].join(' ').trim() },
      h('th', { scope: 'row' }, h('a', { href: `#/tenants/${encodeURIComponent(slug)}/options/${encodeURIComponent(o.key)}` }, title), h('br'), h('code', { class: 'muted' }, o.key)),
      h('td', { class: 'value' }, plain(o.value, def?.valueLabels), danger ? [h('br'), dangerMark()] : null),
      h('td', {}, h('span', { class: `source source-${o.source}` }, t(`source_${o.source}`))),
      h('td', {}, String(o.version)),
      h('td', {}, lastChange(o)),
      canEdit && def
        ? h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                'aria-label': `${t('edit')} ${title}`,
                onclick: () =>
                  openEditor(ctx, tenant, def, o, (message) => {
                    ctx.notify(message);
                    ctx.refresh();
                  }),
              },
              t('edit'),
            ),
          )
        : null,
    );
  };

  const groups = RISKS_DESC.map((risk) => {
    const inGroup = options.filter((o) => o.risk === risk);
    if (!inGroup.length) return null;
    const headingId = `risk-${risk}`;
    return h(
      'section',
      { class: `risk-group group-${risk}`, 'aria-labelledby': headingId },
      h('h2', { id: headingId }, t(`group_${risk}`)),
      h(
        'table',
        { class: 'data' },
        h(
          'thead',
          {},
          h('tr', {}, [t('option'), t('value'), t('source'), t('version'), t('lastChange'), canEdit ? t('actions') : null].filter(Boolean).map((c) => h('th', { scope: 'col' }, c as string))),
        ),
        h('tbody', {}, inGroup.map(row)),
      ),
    );
  });

  const requests = h('section', { class: 'panel', 'aria-labelledby': 'requests-title' }, h('h2', { id: 'requests-title' }, t('requestsTitle')));
  replace(main, h('h1', { tabindex: -1 }, t('optionsOf', { name: tenant.name })), requests, groups);
  await requestsPanel(ctx, requests, slug, options).catch((err: unknown) => requests.append(errorBox(err)));
}
