import { h, replace, uid } from '../dom.js';
import { errorBox, plain, riskBadge } from '../format.js';
import { local, riskName, t } from '../i18n.js';
import { controlFor } from '../schema-form.js';
import type { ViewContext } from '../context.js';
import type { OptionDefinition, OptionView, Tenant } from '../types.js';
import type { WriteOutcome } from '../api.js';

type Pending = { kind: 'set'; value: unknown } | { kind: 'reset' };

const needsConfirmation = (def: OptionDefinition) => def.risk === 'high' || def.risk === 'critical';

/**
 * A modal form for one option of one tenant: value control generated from the schema, a
 * required reason, and for high and critical options a confirmation step showing before → after.
 */
export function openEditor(
  ctx: ViewContext,
  tenant: Tenant,
  def: OptionDefinition,
  current: OptionView,
  onDone: (message: string) => void,
): void {
  const title = local(def.title);
  const headingId = uid('editor-title');
  const dialog = h('dialog', { class: 'editor', 'aria-labelledby': headingId });
  const body = h('div');
  dialog.append(body);
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());

  const control = controlFor(def.schema, current.value, t('newValue'), def.valueLabels);
  const reasonId = uid('reason');
  const reason = h('textarea', {
    id: reasonId,
    name: 'reason',
    rows: 2,
    required: true,
    minlength: 3,
    maxlength: 1000,
    'aria-describedby': `${reasonId}-hint`,
  });
  let form: HTMLFormElement | undefined;
  const feedback = h('div', { 'aria-live': 'polite' });

  const submit = async (pending: Pending) => {
    replace(feedback);
    try {
      const outcome: WriteOutcome =
        pending.kind === 'set'
          ? await ctx.api.setOption(tenant.slug, def.key, pending.value, reason.value, current.version)
          : await ctx.api.resetOption(tenant.slug, def.key, reason.value, current.version);
      dialog.close();
      onDone(outcome.applied ? t('saved', { title, value: plain(outcome.option.value, def.valueLabels) }) : t('pendingApproval'));
    } catch (err) {
      showForm();
      replace(feedback, errorBox(err, form));
      (feedback.querySelector('[role=alert]') as HTMLElement | null)?.focus();
    }
  };

  const confirmStep = (pending: Pending) => {
    const after = pending.kind === 'set' ? pending.value : def.default;
    const text = t(pending.kind === 'set' ? 'confirmText' : 'confirmReset', {
      title,
      tenant: tenant.name,
      before: plain(current.value, def.valueLabels),
      after: plain(after, def.valueLabels),
    });
    const confirmButton = h('button', { type: 'button', class: `danger`, onclick: () => void submit(pending) }, t('confirm'));
    replace(
      body,
      h('h2', { id: headingId }, t('confirmTitle', { risk: riskName(def.risk).toLowerCase() })),
      h('p', { class: 'confirm-text' }, text),
      h('p', {}, h('strong', {}, t('reasonLabel')), ': ', reason.value),
      h('div', { class: 'buttons' }, h('button', { type: 'button', onclick: showForm }, t('back')), confirmButton),
    );
    confirmButton.focus();
  };

  const proceed = (pending: Pending) => (needsConfirmation(def) ? confirmStep(pending) : void submit(pending));

  function showForm(): void {
    form = h(
      'form',
      {
        novalidate: true,
        onsubmit: (e: Event) => {
          e.preventDefault();
          const reading = control.read();
          if (!reading.ok) {
            replace(feedback, h('p', { class: 'error', role: 'alert' }, reading.message));
            return;
          }
          proceed({ kind: 'set', value: reading.value });
        },
      },
      control.element,
      h(
        'div',
        { class: 'field' },
        h('label', { for: reasonId }, t('reason')),
        reason,
        h('p', { class: 'hint', id: `${reasonId}-hint` }, t('reasonRequired')),
      ),
      feedback,
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'button', onclick: () => dialog.close() }, t('cancel')),
        current.source === 'tenant' ? h('button', { type: 'button', onclick: () => proceed({ kind: 'reset' }) }, t('resetDefault')) : null,
        h('button', { type: 'submit', class: 'primary' }, t('save')),
      ),
    );
    replace(
      body,
      h('h2', { id: headingId }, t('editTitle', { title }), ' ', riskBadge(def.risk)),
      h('p', { class: 'muted' }, h('code', {}, def.key), ' · ', tenant.name),
      h('p', {}, local(def.description)),
      h(
        'p',
        {},
        t('currentValue', {
          value: plain(current.value, def.valueLabels),
          version: current.version,
          source: t(`source_${current.source}`),
        }),
      ),
      form,
    );
  }

  showForm();
  dialog.showModal();
}
