import { h, replace } from '../dom.js';
import { UNAVAILABLE, feature } from '../api.js';
import { errorBox, plain, riskBadge } from '../format.js';
import { dateTime, local, t } from '../i18n.js';
import type { ViewContext } from '../context.js';
import { RISKS_DESC, type OptionView } from '../types.js';
import { eventsTable } from './history.js';
import { dangerMark, isDangerous } from '../danger.js';
import { requestsPanel } from './requests.js';
import { sealPanel } from './seal.js';
import { passkeysPanel } from '../passkeys.js';

const rank = (o: OptionView) => RISKS_DESC.indexOf(o.risk);

/** A client admin's page: every option in plain words, the risky ones first, then approvals, seal and history. */
export async function organisationView(ctx: ViewContext, main: HTMLElement, slug: string): Promise<void> {
  const [tenant, options, history, found] = await Promise.all([
    ctx.api.tenant(slug),
    ctx.api.options(slug),
    ctx.api.tenantAudit(slug),
    feature(ctx.api.seals(slug)),
  ]);
  const sorted = [...options].sort((a, b) => rank(a) - rank(b) || Number(b.source === 'tenant') - Number(a.source === 'tenant'));

  const card = (o: OptionView) => {
    const def = ctx.registry.get(o.key);
    const risky = o.risk === 'high' || o.risk === 'critical';
    const danger = isDangerous(def, o.value);
    return h(
      'li',
      { class: `card risk-${o.risk}${risky ? ' risky' : ''}${danger ? ' dangerous' : ''}`, 'data-option': o.key },
      h('h3', {}, h('a', { href: `#/org/options/${encodeURIComponent(o.key)}` }, def ? local(def.title) : o.key), ' ', riskBadge(o.risk)),
      h(
        'p',
        { class: 'card-value' },
        h('strong', {}, plain(o.value, def?.valueLabels)),
        ' ',
        h('span', { class: `source source-${o.source}` }, o.source === 'tenant' ? t('yourSetting') : t('platformDefault')),
      ),
      danger ? h('p', {}, dangerMark()) : null,
      def ? h('p', {}, local(def.description)) : null,
      o.updatedAt && o.updatedBy ? h('p', { class: 'muted' }, t('byWhom', { when: dateTime(o.updatedAt), who: o.updatedBy.name })) : null,
    );
  };

  const requests = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'requests-title' },
    h('h2', { id: 'requests-title' }, t('requestsTitle')),
  );
  const seal = h('section', { class: 'panel', 'aria-labelledby': 'seal-title' }, h('h2', { id: 'seal-title' }, t('sealTitle')));
  const passkeys = h('section', { class: 'panel', 'aria-labelledby': 'passkeys-title', 'data-panel': 'passkeys' });
  replace(
    main,
    h('h1', { tabindex: -1 }, t('orgTitle')),
    h('p', { class: 'intro' }, t('orgIntro', { name: tenant.name })),
    requests,
    seal,
    passkeys,
    h(
      'section',
      { 'aria-labelledby': 'options-title' },
      h('h2', { id: 'options-title', class: 'sr-only' }, t('option')),
      h('ul', { class: 'cards' }, sorted.map(card)),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, t('history')),
      history.items.length
        ? eventsTable(ctx, history, (cursor) => ctx.api.tenantAudit(slug, cursor), false)
        : h('p', { class: 'muted' }, t('noHistory')),
    ),
  );
  sealPanel(ctx, seal, slug, found === UNAVAILABLE ? null : found);
  await Promise.all([
    requestsPanel(ctx, requests, slug, options).catch((err: unknown) => requests.append(errorBox(err))),
    passkeysPanel(ctx.api, passkeys).catch((err: unknown) => passkeys.append(errorBox(err))),
  ]);
}
