import { h, uid } from '../dom.js';
import { errorBox, plain } from '../format.js';
import { local, t } from '../i18n.js';
import type { ViewContext } from '../context.js';
import type { OptionView, SealSummary } from '../types.js';

/** Each secrecy option and the values more secret than its current one (the catalog lists them most secret first). */
export function moreSecret(ctx: ViewContext, options: OptionView[]): { key: string; values: unknown[] }[] {
  return options.flatMap((o) => {
    const order = ctx.registry.get(o.key)?.secrecy;
    if (!order) return [];
    const at = order.findIndex((v) => JSON.stringify(v) === JSON.stringify(o.value));
    return at > 0 ? [{ key: o.key, values: order.slice(0, at) }] : [];
  });
}

/**
 * Under an active seal an operator may still move a secrecy option towards more secrecy: the
 * change waits for a second operator (the requests list and their inbox). Nothing else can change.
 */
export function breakGlassChangeForm(
  ctx: ViewContext,
  seal: SealSummary,
  options: OptionView[],
  done: (message: string) => void,
): HTMLElement | null {
  const choices = moreSecret(ctx, options);
  if (!choices.length) return null;
  const id = uid('bg-change');
  const option = h(
    'select',
    { id: `${id}-option`, name: 'option' },
    ...choices.map((c) => h('option', { value: c.key }, local(ctx.registry.get(c.key)?.title ?? { en: c.key, fr: c.key }))),
  );
  const value = h('select', { id: `${id}-value`, name: 'value' });
  const fillValues = () => {
    const choice = choices.find((c) => c.key === option.value) ?? choices[0];
    const labels = ctx.registry.get(choice?.key ?? '')?.valueLabels;
    value.replaceChildren(...(choice?.values ?? []).map((v, i) => h('option', { value: String(i) }, plain(v, labels))));
  };
  option.addEventListener('change', fillValues);
  fillValues();
  const reason = h('input', { id: `${id}-reason`, type: 'text', name: 'reason', required: true, minlength: 3, maxlength: 1000 });
  const feedback = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'break-glass-change',
      novalidate: true,
      onsubmit: (e: Event) => {
        e.preventDefault();
        const choice = choices.find((c) => c.key === option.value);
        if (!choice) return;
        void ctx.api
          .breakGlassChange(seal.tenant, seal.id, {
            option: choice.key,
            value: choice.values[Number(value.value)],
            reason: reason.value.trim(),
          })
          .then(
            () => done(t('breakGlassChangeFiled')),
            (err: unknown) => feedback.replaceChildren(errorBox(err, form)),
          );
      },
    },
    h('h3', {}, t('breakGlassChangeTitle')),
    h('p', { class: 'hint' }, t('breakGlassChangeHint')),
    h('div', { class: 'field' }, h('label', { for: option.id }, t('option')), option),
    h('div', { class: 'field' }, h('label', { for: value.id }, t('breakGlassChangeValue')), value),
    h(
      'div',
      { class: 'field' },
      h('label', { for: reason.id }, t('breakGlassChangeReason')),
      reason,
      h('p', { class: 'hint' }, t('reasonRequired')),
    ),
    feedback,
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, t('breakGlassChangeSubmit'))),
  );
  return form;
}
