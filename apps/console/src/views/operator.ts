import { h, replace, type Child } from '../dom.js';
import { UNAVAILABLE, feature } from '../api.js';
import { errorBox, plain } from '../format.js';
import { dateTime, local, t } from '../i18n.js';
import type { ViewContext } from '../context.js';
import { RISKS_DESC, type OptionView, type Tenant } from '../types.js';
import { currentSeal, sealPanel } from './seal.js';
import { createTenantForm } from './tenant-create.js';
import { peoplePanel } from './people.js';
import { openEditor } from './option-editor.js';
import { requestsPanel } from './requests.js';
import { dangerMark, isDangerous } from '../danger.js';

export async function tenantsView(ctx: ViewContext, main: HTMLElement): Promise<void> {
  const operator = ctx.me.role === 'operator';
  const [tenants, status, presets] = await Promise.all([
    ctx.api.tenants(),
    feature(ctx.api.tenantStatus()),
    operator ? ctx.api.presets().catch(() => []) : Promise.resolve([]),
  ]);
  const byTenant = new Map(status === UNAVAILABLE ? [] : status.map((s) => [s.tenant, s]));
  const heads = [
    t('slug'),
    t('name'),
    t('riskLevel'),
    status === UNAVAILABLE ? null : t('colSeal'),
    status === UNAVAILABLE ? null : t('colPending'),
    t('created'),
  ].filter((x): x is string => x !== null);
  const row = (tn: Tenant) => {
    const st = byTenant.get(tn.slug);
    const cell = (label: string, ...children: Child[]) => h('td', { 'data-label': label }, ...children);
    return h(
      'tr',
      { 'data-tenant': tn.slug },
      cell(t('slug'), h('a', { href: `#/tenants/${encodeURIComponent(tn.slug)}` }, tn.slug)),
      cell(t('name'), tn.name),
      cell(t('riskLevel'), String(tn.riskLevel)),
      st
        ? cell(
            t('colSeal'),
            st.seal
              ? h(
                  'span',
                  { class: `seal-badge seal-${st.seal.status}`, 'data-seal-status': st.seal.status },
                  t(`sealShort_${st.seal.status}`, { label: st.seal.label }),
                )
              : h('span', { class: 'muted' }, t('noSeal')),
          )
        : null,
      st
        ? cell(
            t('colPending'),
            st.pendingRequests
              ? h('strong', { 'data-pending': st.pendingRequests }, String(st.pendingRequests))
              : h('span', { class: 'muted', 'data-pending': 0 }, '0'),
          )
        : null,
      cell(t('created'), dateTime(tn.createdAt)),
    );
  };
  replace(
    main,
    h('h1', { tabindex: -1 }, t('tenantsTitle')),
    h(
      'table',
      { class: 'data tenants-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          heads.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h('tbody', {}, tenants.map(row)),
    ),
    operator ? createTenantForm(ctx, presets) : null,
  );
}

function lastChange(o: OptionView): string {
  return o.updatedAt && o.updatedBy ? t('byWhom', { when: dateTime(o.updatedAt), who: o.updatedBy.name }) : t('never');
}

/** One tenant's options, grouped by risk (critical first), each editable by an operator. */
export async function tenantView(ctx: ViewContext, main: HTMLElement, slug: string): Promise<void> {
  const [tenant, options, found] = await Promise.all([ctx.api.tenant(slug), ctx.api.options(slug), feature(ctx.api.seals(slug))]);
  const seals = found === UNAVAILABLE ? null : found;
  const canEdit = ctx.me.role === 'operator';
  const seal = seals ? currentSeal(seals) : undefined;
  // While sealed every change is refused (423): say so before anyone fills a form.
  const sealed = seal?.status === 'active' ? seal : undefined;

  const row = (o: OptionView) => {
    const def = ctx.registry.get(o.key);
    const title = def ? local(def.title) : o.key;
    const danger = isDangerous(def, o.value);
    return h(
      'tr',
      { 'data-option': o.key, class: [o.source === 'tenant' ? 'own' : '', danger ? 'dangerous' : ''].join(' ').trim() },
      h(
        'th',
        { scope: 'row' },
        h('a', { href: `#/tenants/${encodeURIComponent(slug)}/options/${encodeURIComponent(o.key)}` }, title),
        h('br'),
        h('code', { class: 'muted' }, o.key),
      ),
      h('td', { class: 'value', 'data-label': t('value') }, plain(o.value, def?.valueLabels), danger ? [h('br'), dangerMark()] : null),
      h('td', { 'data-label': t('source') }, h('span', { class: `source source-${o.source}` }, t(`source_${o.source}`))),
      h('td', { 'data-label': t('version') }, String(o.version)),
      h('td', { 'data-label': t('lastChange') }, lastChange(o)),
      canEdit && def
        ? h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                'aria-label': `${t('edit')} ${title}`,
                disabled: sealed !== undefined,
                'aria-describedby': sealed ? 'sealed-note' : null,
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
          h(
            'tr',
            {},
            [t('option'), t('value'), t('source'), t('version'), t('lastChange'), canEdit ? t('actions') : null]
              .filter(Boolean)
              .map((c) => h('th', { scope: 'col' }, c as string)),
          ),
        ),
        h('tbody', {}, inGroup.map(row)),
      ),
    );
  });

  const requests = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'requests-title' },
    h('h2', { id: 'requests-title' }, t('requestsTitle')),
  );
  const people = canEdit
    ? h('section', { class: 'panel', 'aria-labelledby': 'people-title' }, h('h2', { id: 'people-title' }, t('peopleTitle')))
    : null;
  const sealBox = h('section', { class: 'panel', 'aria-labelledby': 'seal-title' }, h('h2', { id: 'seal-title' }, t('sealTitle')));
  sealPanel(ctx, sealBox, slug, seals, options);
  replace(
    main,
    h('h1', { tabindex: -1 }, t('optionsOf', { name: tenant.name })),
    sealed
      ? h('p', { class: 'notice sealed-note', id: 'sealed-note', 'data-note': 'sealed' }, t('sealedNote', { label: sealed.label }))
      : null,
    sealBox,
    requests,
    groups,
    people,
  );
  await Promise.all([
    requestsPanel(ctx, requests, slug, options).catch((err: unknown) => requests.append(errorBox(err))),
    people ? peoplePanel(ctx, people, slug).catch((err: unknown) => people.append(errorBox(err))) : null,
  ]);
}
