import { h, uid } from '../dom.js';
import { errorBox, plain } from '../format.js';
import { dateTime, local, roleName, t } from '../i18n.js';
import { UNAVAILABLE, feature } from '../api.js';
import type { ViewContext } from '../context.js';
import { signApproval } from '../passkeys.js';
import type { ChangeRequest, Me, OptionView } from '../types.js';
import { requestSummary } from './request-card.js';

/**
 * Pending change requests of a tenant, with approve and reject (each confirmed). Shown only when
 * the server offers change requests; otherwise a plain sentence says so. `current` are the
 * tenant's options when the caller has them already (the "before" of each request).
 */
export async function requestsPanel(ctx: ViewContext, panel: HTMLElement, slug: string, current?: OptionView[]): Promise<void> {
  const found = await feature(ctx.api.changeRequests(slug));
  if (found === UNAVAILABLE) {
    panel.append(h('p', { class: 'muted', 'data-feature': 'change-requests-unavailable' }, t('requestsUnavailable')));
    return;
  }
  const pending = found.filter((r) => r.status === 'pending');
  if (!pending.length) {
    panel.append(h('p', { class: 'muted' }, t('requestsNone')));
    return;
  }
  const options = current ?? (await ctx.api.options(slug));
  const byKey = new Map(options.map((o) => [o.key, o]));
  panel.append(
    h(
      'ul',
      { class: 'requests' },
      pending.map((r) => requestItem(ctx, r, byKey.get(r.option))),
    ),
  );
}

/** One request as a card the person can judge, with the decisions this person may take. */
export function requestItem(ctx: ViewContext, r: ChangeRequest, current: { value: unknown } | undefined, tenantName?: string): HTMLElement {
  const def = ctx.registry.get(r.option);
  const title = def ? local(def.title) : r.option;
  const after = r.operation === 'set' ? r.value : def?.default;
  const feedback = h('div', { 'aria-live': 'polite' });
  const actions = h('div', { class: 'buttons' });
  const item = h(
    'li',
    { class: 'request', 'data-request': r.id, 'data-option': r.option, 'data-tenant': r.tenant },
    requestSummary(ctx, r, current, tenantName),
    actions,
    feedback,
  );

  const done = (message: string) => {
    ctx.notify(message);
    ctx.refresh();
  };

  // Only buttons for what this person may do: the server refuses an approval by the requester, a
  // second one by the same person, one its role does not owe and any decision by a reviewer.
  const mine = r.requestedBy.id === ctx.me.id;
  const approvedByMe = r.approvals.some((a) => a.principal.id === ctx.me.id);
  const may = mayDecide(ctx.me, r);
  const showButtons = () => {
    if (mine) {
      actions.replaceChildren(
        h('p', { class: 'muted', 'data-note': 'own-request' }, t('ownRequest')),
        h('button', { type: 'button', class: 'danger', onclick: () => askReason('withdraw') }, t('withdraw')),
      );
      return;
    }
    const approval = approvedByMe
      ? h('p', { class: 'muted', 'data-note': 'approved-by-me' }, t('approvedByMe'))
      : may.approve === true
        ? h('button', { type: 'button', class: 'primary', onclick: confirmApprove }, t('approve'))
        : may.approve
          ? h('p', { class: 'muted', 'data-note': may.approve }, t(NOTE_TEXT[may.approve]))
          : null;
    actions.replaceChildren(
      ...[
        approval,
        may.reject ? h('button', { type: 'button', class: 'danger', onclick: () => askReason('reject') }, t('reject')) : null,
      ].filter((x) => x !== null),
    );
  };

  function confirmApprove(): void {
    const yes = h(
      'button',
      {
        type: 'button',
        class: 'primary',
        // Signed with the person's passkey when they have one (the tenant may refuse unsigned consent).
        onclick: () =>
          void signApproval(ctx.api, ctx.me, r)
            .then((signature) => ctx.api.approve(r, signature))
            .then(
              () => done(t('approved')),
              (err: unknown) => feedback.replaceChildren(errorBox(err)),
            ),
      },
      t('confirmApprove'),
    );
    const asker = `${r.requestedBy.name} (${roleName(r.requestedBy.role)})`;
    actions.replaceChildren(
      h(
        'p',
        { class: 'confirm-text' },
        t('approveText', { title, after: plain(after, def?.valueLabels), who: asker, when: dateTime(r.createdAt) }),
      ),
      h('button', { type: 'button', onclick: showButtons }, t('back')),
      yes,
    );
    yes.focus();
  }

  /** Rejecting or withdrawing needs a reason, recorded in the audit log. */
  function askReason(decision: 'reject' | 'withdraw'): void {
    const rejecting = decision === 'reject';
    const id = uid(`${decision}-reason`);
    const reason = h('textarea', { id, name: 'reason', rows: 2, required: true, minlength: 3, 'aria-describedby': `${id}-hint` });
    const form = h(
      'form',
      {
        novalidate: true,
        onsubmit: (e: Event) => {
          e.preventDefault();
          void ctx.api[decision](r, reason.value).then(
            () => done(t(rejecting ? 'rejected' : 'withdrawn')),
            (err: unknown) => feedback.replaceChildren(errorBox(err, form)),
          );
        },
      },
      h(
        'div',
        { class: 'field' },
        h('label', { for: id }, t(rejecting ? 'rejectReason' : 'withdrawReason')),
        reason,
        h('p', { class: 'hint', id: `${id}-hint` }, t('reasonRequired')),
      ),
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'button', onclick: showButtons }, t('back')),
        h('button', { type: 'submit', class: 'danger' }, t(rejecting ? 'confirmReject' : 'confirmWithdraw')),
      ),
    );
    actions.replaceChildren(form);
    reason.focus();
  }

  showButtons();
  return item;
}

/** The note shown instead of an approve button, by the approval route's refusal (rules it names). */
const NOTES: Record<string, 'client-person' | 'lineage'> = {
  client_person: 'client-person',
  lineage_differs_from_requester: 'lineage',
  lineage_differs_from_approvers: 'lineage',
  approver_predates_request: 'lineage',
};

/**
 * What `me` may decide on `r`: only operators and client admins decide; approving is offered only
 * when the server says the approval route would take it (`yourApproval`), otherwise the reason it
 * would not, for a note instead of a button.
 */
export function mayDecide(me: Me, r: ChangeRequest): { approve: true | ApprovalNote | null; reject: boolean } {
  const side = me.role === 'operator' ? 'operator' : me.role === 'client_admin' ? 'clientAdmin' : null;
  if (side === null) return { approve: null, reject: false };
  if (r.yourApproval.allowed) return { approve: true, reject: true };
  const rule = r.yourApproval.refusal?.rule ?? '';
  if (rule === 'approval_not_needed') return { approve: r.required[side] ? 'given' : 'not-needed', reject: true };
  return { approve: NOTES[rule] ?? null, reject: true };
}

export type ApprovalNote = 'not-needed' | 'given' | 'client-person' | 'lineage';

const NOTE_TEXT = {
  'not-needed': 'approvalNotNeeded',
  given: 'approvalGiven',
  'client-person': 'approvalClientPerson',
  lineage: 'approvalLineage',
} as const;
