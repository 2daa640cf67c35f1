import { download, h, replace, uid } from '../dom.js';
import { ApiError } from '../api.js';
import { errorBox } from '../format.js';
import { local, roleName, t } from '../i18n.js';
import type { ViewContext } from '../context.js';
import type { AuditFilters } from '../types.js';
import { eventsTable } from './history.js';
import { EVENT_ACTIONS, actionName } from '../events.js';

const FIELDS = ['tenant', 'option', 'action', 'actor', 'q', 'from', 'to'] as const;

export function filtersFrom(params: URLSearchParams): AuditFilters {
  const f: AuditFilters = {};
  for (const name of FIELDS) {
    const v = params.get(name);
    if (v) f[name] = v;
  }
  return f;
}

/** Dates are chosen as days; the API takes instants (UTC midnight). */
const instant = (day: string | undefined) => (day ? `${day}T00:00:00.000Z` : undefined);

/** The audit log across tenants: filters in the address (shareable), diffs, export and chain verification. */
export async function complianceView(ctx: ViewContext, main: HTMLElement, filters: AuditFilters): Promise<void> {
  const query = { ...filters, from: instant(filters.from), to: instant(filters.to) };
  // A client admin reads its own tenant's log through the tenant's routes.
  const own = ctx.me.role === 'client_admin' && ctx.me.tenant ? ctx.me.tenant : undefined;
  const [tenants, first, actors] = await Promise.all([
    own ? ctx.api.tenant(own).then((tn) => [tn]) : ctx.api.tenants(),
    ctx.api.audit(query, own),
    ctx.api.auditActors(filters.tenant, own).catch(() => []),
  ]);

  const field = (label: string, control: HTMLInputElement | HTMLSelectElement) => {
    control.id = uid('filter');
    return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
  };
  const select = (name: string, all: string, choices: [string, string][]) =>
    h(
      'select',
      { name },
      h('option', { value: '' }, all),
      choices.map(([value, text]) => h('option', { value, selected: filters[name as keyof AuditFilters] === value }, text)),
    );
  const tenantSelect = select(
    'tenant',
    t('allTenants'),
    tenants.map((tn) => [tn.slug, tn.name]),
  );
  const optionSelect = select(
    'option',
    t('allOptions'),
    [...ctx.registry.values()].map((d) => [d.key, local(d.title)]),
  );
  const actionSelect = select(
    'action',
    t('allActions'),
    EVENT_ACTIONS.map((a) => [a, actionName(a)]),
  );
  const actorSelect = select(
    'actor',
    t('allPeople'),
    actors.map((a) => [a.id, `${a.name} (${roleName(a.role)})`]),
  );
  const input = (name: keyof AuditFilters, type: string) => h('input', { name, type, value: filters[name] ?? '' });
  const text = h('input', { name: 'q', type: 'search', value: filters.q ?? '', maxlength: 100 });

  const form = h(
    'form',
    {
      class: 'filters',
      role: 'search',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const data = new FormData(form);
        const params = new URLSearchParams();
        for (const name of FIELDS) {
          const v = String(data.get(name) ?? '').trim();
          if (v) params.set(name, v);
        }
        location.hash = `#/audit${params.size ? `?${params}` : ''}`;
      },
    },
    h(
      'fieldset',
      {},
      h('legend', {}, t('filters')),
      own ? null : field(t('tenant'), tenantSelect),
      field(t('option'), optionSelect),
      field(t('action'), actionSelect),
      field(t('actor'), actorSelect),
      field(t('searchText'), text),
      field(t('from'), input('from', 'date')),
      field(t('to'), input('to', 'date')),
      h(
        'div',
        { class: 'buttons' },
        h('a', { href: '#/audit', class: 'button' }, t('clear')),
        h('button', { type: 'submit', class: 'primary' }, t('apply')),
      ),
    ),
  );

  const result = h('div', { class: 'verify-result', role: 'status', 'aria-live': 'polite' });
  const unavailable = (err: unknown, text: string) =>
    err instanceof ApiError && err.routeMissing ? h('p', { class: 'muted' }, text) : errorBox(err);

  const verify = async () => {
    replace(result, t('verifying'));
    try {
      const r = await ctx.api.verify(filters.tenant ?? ctx.me.tenant ?? undefined);
      replace(
        result,
        h(
          'p',
          { class: r.ok ? 'ok' : 'error' },
          r.ok
            ? t('verifyOk', { checked: r.checked })
            : t('verifyBroken', { seq: r.firstBrokenSeq ?? '?', reason: r.reason ?? '', checked: r.checked }),
        ),
      );
    } catch (err) {
      replace(result, unavailable(err, t('verifyUnavailable')));
    }
  };

  const exportAs = async (format: 'jsonl' | 'csv') => {
    try {
      const scope = filters.tenant ?? ctx.me.tenant ?? undefined;
      download(await ctx.api.exportAudit(format, scope), `cloison-audit-${scope ?? 'global'}.${format}`);
    } catch (err) {
      replace(result, unavailable(err, t('exportUnavailable')));
    }
  };

  replace(
    main,
    h('h1', { tabindex: -1 }, t(ctx.me.role === 'client_admin' ? 'history' : 'auditTitle')),
    form,
    h(
      'section',
      { class: 'panel tools', 'aria-label': t('verify') },
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'button', class: 'primary', onclick: () => void verify() }, t('verify')),
        h('button', { type: 'button', onclick: () => void exportAs('jsonl') }, t('exportJsonl')),
        h('button', { type: 'button', onclick: () => void exportAs('csv') }, t('exportCsv')),
      ),
      h('p', { class: 'hint' }, t('verifyScope')),
      result,
    ),
    eventsTable(ctx, first, (cursor) => ctx.api.audit({ ...query, cursor }, own), !own),
  );
}
