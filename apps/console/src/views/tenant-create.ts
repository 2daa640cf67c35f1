import { h, uid } from '../dom.js';
import { errorBox } from '../format.js';
import { local, t } from '../i18n.js';
import type { ViewContext } from '../context.js';
import type { Preset } from '../types.js';

/** The operator's form for a new organisation, starting from one of the catalog's presets. */
export function createTenantForm(ctx: ViewContext, presets: Preset[]): HTMLElement {
  const field = (label: string, control: HTMLElement, hint?: string) => {
    const id = uid('new-tenant');
    control.id = id;
    if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
    return h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      control,
      hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    );
  };
  const slug = h('input', { type: 'text', name: 'slug', required: true, maxlength: 63, autocomplete: 'off', spellcheck: 'false' });
  const name = h('input', { type: 'text', name: 'name', required: true, maxlength: 200 });
  const risk = h(
    'select',
    { name: 'riskLevel' },
    [1, 2, 3].map((n) => h('option', { value: String(n) }, t(`riskLevel${n as 1 | 2 | 3}`))),
  );
  const preset = h(
    'select',
    { name: 'preset' },
    h('option', { value: '' }, t('noPreset')),
    presets.map((p) => h('option', { value: p.name }, local(p.title))),
  );
  const presetText = h('p', { class: 'hint', 'aria-live': 'polite' });
  preset.addEventListener('change', () => {
    const chosen = presets.find((p) => p.name === preset.value);
    presetText.textContent = chosen ? local(chosen.description) : '';
  });
  const feedback = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'new-tenant panel',
      novalidate: true,
      onsubmit: (e: Event) => {
        e.preventDefault();
        const body = {
          slug: slug.value.trim(),
          name: name.value.trim(),
          riskLevel: Number(risk.value),
          ...(preset.value ? { preset: preset.value } : {}),
        };
        void ctx.api.createTenant(body).then(
          () => {
            ctx.notify(t('tenantCreated', { name: body.name }));
            location.hash = `#/tenants/${encodeURIComponent(body.slug)}`;
          },
          (err: unknown) => feedback.replaceChildren(errorBox(err, form)),
        );
      },
    },
    h('h2', {}, t('newTenant')),
    field(t('slug'), slug, t('slugHint')),
    field(t('name'), name, t('requiredField')),
    field(t('riskLevel'), risk),
    field(t('preset'), preset),
    presetText,
    feedback,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('createTenant'))),
  );
  return form;
}
