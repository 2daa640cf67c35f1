import { h, replace } from '../dom.js';
import { plain, riskBadge } from '../format.js';
import { dateTime, local, roleName, t } from '../i18n.js';
import { dangerMark } from '../danger.js';
import type { ViewContext } from '../context.js';
import type { ExposureItem } from '../types.js';

/**
 * Which tenants have which high or critical options away from both the safe value and the default,
 * since when and approved by whom: a bar per option (how many tenants), then the details.
 */
export async function exposureView(ctx: ViewContext, main: HTMLElement): Promise<void> {
  const [report, tenants] = await Promise.all([ctx.api.exposure(), ctx.api.tenants()]);
  const names = new Map(tenants.map((tn) => [tn.slug, tn.name]));
  const byOption = new Map<string, ExposureItem[]>();
  for (const item of report.items) byOption.set(item.option, [...(byOption.get(item.option) ?? []), item]);
  const title = (key: string) => {
    const def = ctx.registry.get(key);
    return def ? local(def.title) : key;
  };
  const max = Math.max(1, tenants.length);
  const chart = h(
    'ul',
    { class: 'bars', 'aria-label': t('exposureChart') },
    [...byOption].map(([key, items]) =>
      h(
        'li',
        { 'data-option': key },
        h('span', { class: 'bar-label' }, title(key)),
        h(
          'span',
          { class: `bar risk-${items[0]?.risk ?? 'high'}`, 'data-width': Math.round((items.length / max) * 100) },
          h('span', { class: 'bar-fill', 'aria-hidden': 'true' }),
        ),
        h('span', { class: 'bar-value' }, t('exposureCount', { n: items.length, total: tenants.length })),
      ),
    ),
  );
  // Widths are set from script, not inline style attributes: the page's CSP forbids those.
  for (const bar of chart.querySelectorAll<HTMLElement>('.bar'))
    (bar.firstElementChild as HTMLElement).style.width = `${bar.dataset.width}%`;
  const row = (i: ExposureItem) => {
    const def = ctx.registry.get(i.option);
    const cell = (label: string, ...children: Parameters<typeof h>[2][]) => h('td', { 'data-label': label }, ...children);
    return h(
      'tr',
      { 'data-tenant': i.tenant, 'data-option': i.option },
      cell(t('tenant'), names.get(i.tenant) ?? i.tenant),
      cell(t('value'), plain(i.value, def?.valueLabels), h('br'), dangerMark()),
      cell(t('exposureSince'), dateTime(i.since)),
      cell(t('exposureAsked'), i.requestedBy?.name ?? '—'),
      cell(
        t('exposureApproved'),
        i.approvedBy.length ? i.approvedBy.map((a) => `${a.name} (${roleName(a.role)})`).join(', ') : t('exposureNoApproval'),
      ),
      cell(t('colSeal'), i.seal ? i.seal.label : t('noSeal')),
    );
  };
  const heads = [t('tenant'), t('value'), t('exposureSince'), t('exposureAsked'), t('exposureApproved'), t('colSeal')];
  replace(
    main,
    h('h1', { tabindex: -1 }, t('exposureTitle')),
    h('p', { class: 'intro' }, t('exposureIntro')),
    report.items.length === 0
      ? h('p', { class: 'empty', 'data-note': 'no-exposure' }, t('exposureNone'))
      : [
          h(
            'section',
            { class: 'panel', 'aria-labelledby': 'exposure-chart' },
            h('h2', { id: 'exposure-chart' }, t('exposureChart')),
            chart,
          ),
          [...byOption].map(([key, items]) =>
            h(
              'section',
              { class: 'exposure-option', 'data-option': key, 'aria-labelledby': `exposure-${key}` },
              h('h2', { id: `exposure-${key}` }, title(key), ' ', items[0] ? riskBadge(items[0].risk) : null),
              h(
                'table',
                { class: 'data' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    heads.map((c) => h('th', { scope: 'col' }, c)),
                  ),
                ),
                h('tbody', {}, items.map(row)),
              ),
            ),
          ),
        ],
  );
}
