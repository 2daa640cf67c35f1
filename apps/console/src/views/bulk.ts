import { h, replace, uid } from '../dom.js';
import { errorBox, plain, riskBadge } from '../format.js';
import { local, t } from '../i18n.js';
import { controlFor } from '../schema-form.js';
import type { ViewContext } from '../context.js';
import type { BulkPlan, OptionDefinition } from '../types.js';

/**
 * One option changed for several tenants: the dry-run plan (each tenant's before → after, and
 * which need approval) is shown first, and only that plan can be applied. Critical options are
 * never offered: they are never bulk-applied.
 */
export async function bulkView(ctx: ViewContext, main: HTMLElement, chosenKey?: string): Promise<void> {
  const tenants = await ctx.api.tenants();
  const defs = [...ctx.registry.values()].filter((d) => d.risk !== 'critical');
  const def: OptionDefinition | undefined = defs.find((d) => d.key === chosenKey) ?? defs[0];
  if (!def) return;
  const optionId = uid('bulk-option');
  const optionSelect = h(
    'select',
    { id: optionId, onchange: (e: Event) => void bulkView(ctx, main, (e.target as HTMLSelectElement).value) },
    defs.map((d) => h('option', { value: d.key, selected: d.key === def.key }, local(d.title))),
  );
  const control = controlFor(def.schema, def.default, t('newValue'), def.valueLabels);
  const boxes = tenants.map((tn) => {
    const id = uid('bulk-tenant');
    const box = h('input', { id, type: 'checkbox', name: 'tenants', value: tn.slug });
    return { slug: tn.slug, box, element: h('div', { class: 'choice' }, box, h('label', { for: id }, tn.name)) };
  });
  const reasonId = uid('bulk-reason');
  const reason = h('textarea', {
    id: reasonId,
    name: 'reason',
    rows: 2,
    required: true,
    minlength: 3,
    'aria-describedby': `${reasonId}-hint`,
  });
  const result = h('div', { class: 'bulk-plan', 'aria-live': 'polite' });

  const chosen = () => boxes.filter((b) => b.box.checked).map((b) => b.slug);
  const showPlan = (plan: BulkPlan) => {
    const names = new Map(tenants.map((tn) => [tn.slug, tn.name]));
    const apply = h(
      'button',
      {
        type: 'button',
        class: 'danger',
        onclick: () =>
          void ctx.api
            .bulkApply(
              plan,
              plan.tenants.map((p) => p.tenant),
            )
            .then(
              (res) => {
                const count = (o: string) => res.body.results.filter((r) => r.outcome === o).length;
                ctx.notify(t('bulkDone', { applied: count('applied'), pending: count('pending'), unchanged: count('unchanged') }));
                ctx.refresh();
              },
              (err: unknown) => result.append(errorBox(err)),
            ),
      },
      t('bulkApply'),
    );
    replace(
      result,
      h('h2', {}, t('bulkPlanTitle')),
      h(
        'table',
        { class: 'data' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t('tenant'), t('change'), t('bulkOutcome')].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h(
          'tbody',
          {},
          plan.tenants.map((p) =>
            h(
              'tr',
              { 'data-tenant': p.tenant },
              h('td', { 'data-label': t('tenant') }, names.get(p.tenant) ?? p.tenant),
              h(
                'td',
                { 'data-label': t('change') },
                p.changes
                  ? [h('del', {}, plain(p.before, def.valueLabels)), ' → ', h('ins', {}, plain(p.after, def.valueLabels))]
                  : plain(p.before, def.valueLabels),
              ),
              h(
                'td',
                { 'data-label': t('bulkOutcome') },
                t(!p.changes ? 'bulkUnchanged' : p.needsApproval ? 'bulkNeedsApproval' : 'bulkApplies'),
              ),
            ),
          ),
        ),
      ),
      h('div', { class: 'buttons' }, apply),
    );
    apply.focus();
  };

  const form = h(
    'form',
    {
      class: 'panel bulk',
      novalidate: true,
      onsubmit: (e: Event) => {
        e.preventDefault();
        const reading = control.read();
        if (!reading.ok) return replace(result, h('p', { class: 'error', role: 'alert' }, reading.message));
        void ctx.api.bulkPlan({ option: def.key, operation: 'set', value: reading.value, tenants: chosen(), reason: reason.value }).then(
          (res) => showPlan(res.body),
          (err: unknown) => replace(result, errorBox(err, form)),
        );
      },
    },
    h('div', { class: 'field' }, h('label', { for: optionId }, t('option')), optionSelect),
    h('p', {}, riskBadge(def.risk), ' ', local(def.description)),
    control.element,
    h(
      'fieldset',
      { class: 'field' },
      h('legend', {}, t('bulkTenants')),
      boxes.map((b) => b.element),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: reasonId }, t('reason')),
      reason,
      h('p', { class: 'hint', id: `${reasonId}-hint` }, t('reasonRequired')),
    ),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('bulkDryRun'))),
  );
  replace(main, h('h1', { tabindex: -1 }, t('bulkTitle')), h('p', { class: 'intro' }, t('bulkIntro')), form, result);
}
