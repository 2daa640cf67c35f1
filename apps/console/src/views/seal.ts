import { download, h, uid, type Child } from '../dom.js';
import { errorBox } from '../format.js';
import { t } from '../i18n.js';
import type { ViewContext } from '../context.js';
import type { OptionView, SealSummary } from '../types.js';
import { breakGlassChangeForm } from './break-glass-change.js';
import { mayApproveSeal, sealAction, sealApprovals, sealSummary } from './seal-card.js';

/** The seal that matters now: the one in force, else the one proposed, else the latest. */
export function currentSeal(seals: SealSummary[]): SealSummary | undefined {
  return seals.find((s) => s.status === 'active') ?? seals.find((s) => s.status === 'proposed') ?? seals[seals.length - 1];
}

/**
 * A tenant's seal: its status, approvals and fingerprint, the signed document, and the steps this
 * person may take (propose, approve, lift, break-glass; with the tenant's `options`, an operator's
 * break-glass change under the seal). `seals` is null when the server has none.
 */
export function sealPanel(ctx: ViewContext, panel: HTMLElement, slug: string, seals: SealSummary[] | null, options?: OptionView[]): void {
  if (seals === null) {
    panel.append(h('p', { class: 'muted', 'data-feature': 'seals-unavailable' }, t('sealUnavailable')));
    return;
  }
  const done = (message: string) => {
    ctx.notify(message);
    ctx.refresh();
  };
  const seal = currentSeal(seals);
  const open = seal && (seal.status === 'active' || seal.status === 'proposed');
  const parts: Child[] = [];
  if (!seal || !open) parts.push(h('p', { 'data-seal-status': 'none' }, t('sealNone')));
  if (seal && open) {
    parts.push(sealSummary(seal, seal.status === 'proposed' ? 'activate' : 'lift'));
    if (seal.status === 'active' && sealApprovals(seal, 'break_glass').length)
      parts.push(h('p', { class: 'progress' }, t('breakGlassProgress', { done: sealApprovals(seal, 'break_glass').length, total: 2 })));
    for (const step of seal.status === 'proposed' ? (['activate'] as const) : (['lift', 'break_glass'] as const)) {
      if (mayApproveSeal(seal, step)) parts.push(sealAction(ctx, seal, step, done));
    }
    // A client admin whose approval the server would not take as the client's is told why, not offered a button.
    if (seal.yourSteps.some((s) => s.refusal?.rule === 'client_person'))
      parts.push(h('p', { class: 'muted', 'data-note': 'client-person' }, t('approvalClientPerson')));
    if (seal.status === 'active' && ctx.me.role === 'operator' && options) parts.push(breakGlassChangeForm(ctx, seal, options, done));
    if (seal.document) {
      parts.push(
        h(
          'button',
          {
            type: 'button',
            onclick: () =>
              download(new Blob([JSON.stringify(seal.document, null, 2)], { type: 'application/json' }), `seal-${slug}-${seal.id}.json`),
          },
          t('sealDownload'),
        ),
      );
    }
  }
  if ((!seal || !open) && (ctx.me.role === 'operator' || ctx.me.role === 'client_admin')) parts.push(proposeForm(ctx, slug, done));
  panel.append(...parts.flat().filter((x): x is Node => x instanceof Node));
}

function proposeForm(ctx: ViewContext, slug: string, done: (message: string) => void): HTMLElement {
  const id = uid('seal-label');
  const label = h('input', {
    id,
    type: 'text',
    name: 'label',
    required: true,
    minlength: 3,
    maxlength: 200,
    'aria-describedby': `${id}-hint`,
  });
  const feedback = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'seal-propose',
      novalidate: true,
      onsubmit: (e: Event) => {
        e.preventDefault();
        void ctx.api.proposeSeal(slug, label.value.trim()).then(
          () => done(t('sealProposed')),
          (err: unknown) => feedback.replaceChildren(errorBox(err, form)),
        );
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, t('sealLabel')),
      label,
      h('p', { class: 'hint', id: `${id}-hint` }, t('sealLabelHint')),
    ),
    feedback,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('sealPropose'))),
  );
  return form;
}
