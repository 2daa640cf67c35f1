import { h, uid, type Child } from '../dom.js';
import { errorBox } from '../format.js';
import { dateTime, roleName, t } from '../i18n.js';
import type { ViewContext } from '../context.js';
import type { SealSummary } from '../types.js';
import { sealStepHash, signStep } from '../passkeys.js';
import { notClientLine } from './request-card.js';

export type SealStep = 'activate' | 'lift' | 'break_glass';

/** The approvals a seal has gathered towards `purpose`. */
export const sealApprovals = (seal: SealSummary, purpose: SealStep) => seal.approvals.filter((a) => a.purpose === purpose);

/** The server's judgement of the signed-in person's approval towards `purpose` (as the seal routes would answer). */
export const yourStep = (seal: SealSummary, purpose: SealStep) => seal.yourSteps.find((s) => s.purpose === purpose);

/** Whether the signed-in person may add an approval towards `purpose`: the server says so (`yourSteps`). */
export function mayApproveSeal(seal: SealSummary, purpose: SealStep): boolean {
  return yourStep(seal, purpose)?.allowed === true;
}

/** One seal: its status in words, who proposed it, each approval so far and the fingerprint once sealed. */
export function sealSummary(seal: SealSummary, purpose: SealStep, tenantName?: string): Child[] {
  const given = sealApprovals(seal, purpose);
  return [
    h('h3', {}, t('sealNamed', { label: seal.label }), tenantName ? h('span', { class: 'request-tenant' }, ` · ${tenantName}`) : null),
    h(
      'p',
      { class: `seal-status seal-${seal.status}`, 'data-seal-status': seal.status },
      t(`sealStatus_${seal.status === 'active' || seal.status === 'proposed' || seal.status === 'lifted' ? seal.status : 'other'}`),
    ),
    h(
      'p',
      { class: 'asked' },
      t('proposedBy', { who: seal.proposedBy.name, role: roleName(seal.proposedBy.role), when: dateTime(seal.proposedAt) }),
    ),
    seal.status === 'proposed' || given.length
      ? h(
          'div',
          { class: 'approval-steps' },
          h(
            'p',
            { class: 'progress' },
            t(purpose === 'activate' ? 'sealProgress' : purpose === 'lift' ? 'liftProgress' : 'breakGlassProgress', {
              done: given.length,
              total: purpose === 'break_glass' ? 2 : seal.requiredApprovals,
            }),
          ),
          given.length
            ? h(
                'ul',
                {},
                given.map((a) =>
                  a.role === 'client_admin' && !a.forClient
                    ? notClientLine(a)
                    : h(
                        'li',
                        { class: 'step step-done' },
                        t('sealApprovedBy', { who: a.principal.name, role: roleName(a.role), when: dateTime(a.at) }),
                        a.reason ? ` — ${a.reason}` : null,
                      ),
                ),
              )
            : null,
          purpose === 'activate' && !given.some((a) => a.forClient) ? h('p', { class: 'hint' }, t('sealNeedsClient')) : null,
        )
      : null,
    seal.fingerprint
      ? h('p', { class: 'hash-line' }, t('sealFingerprint'), ' ', h('code', { class: 'fingerprint' }, seal.fingerprint))
      : null,
  ];
}

/**
 * The button for one seal step, confirmed before it is sent; lift and break-glass ask for the reason
 * the audit log records. `done` hears the outcome.
 */
export function sealAction(ctx: ViewContext, seal: SealSummary, purpose: SealStep, done: (message: string) => void): HTMLElement {
  const box = h('div', { class: 'buttons seal-action' });
  const feedback = h('div', { 'aria-live': 'polite' });
  const label = t(purpose === 'activate' ? 'sealApprove' : purpose === 'lift' ? 'sealLift' : 'sealBreakGlass');
  const fail = (err: unknown) => feedback.replaceChildren(errorBox(err));
  const start = () =>
    box.replaceChildren(
      h('button', { type: 'button', class: purpose === 'activate' ? 'primary' : 'danger', onclick: ask }, label),
      feedback,
    );
  function ask(): void {
    if (purpose === 'activate') {
      const yes = h(
        'button',
        {
          type: 'button',
          class: 'primary',
          onclick: () =>
            void signed(ctx, seal, 'activate', null)
              .then((signature) => ctx.api.approveSeal(seal.tenant, seal.id, signature))
              .then(() => done(t('sealApproved')), fail),
        },
        t('confirmApprove'),
      );
      box.replaceChildren(
        h('p', { class: 'confirm-text' }, t('sealApproveText', { label: seal.label })),
        h('button', { type: 'button', onclick: start }, t('back')),
        yes,
        feedback,
      );
      yes.focus();
      return;
    }
    const id = uid('seal-reason');
    const reason = h('textarea', { id, name: 'reason', rows: 2, required: true, minlength: 3, 'aria-describedby': `${id}-hint` });
    const form = h(
      'form',
      {
        novalidate: true,
        onsubmit: (e: Event) => {
          e.preventDefault();
          void signed(ctx, seal, purpose, reason.value)
            .then((signature) =>
              ctx.api.sealStep(seal.tenant, seal.id, purpose === 'lift' ? 'lift' : 'break-glass', reason.value, signature),
            )
            .then(
              () => done(t(purpose === 'lift' ? 'sealLiftGiven' : 'sealBreakGlassGiven')),
              (err: unknown) => feedback.replaceChildren(errorBox(err, form)),
            );
        },
      },
      h(
        'div',
        { class: 'field' },
        h('label', { for: id }, t(purpose === 'lift' ? 'sealLiftReason' : 'sealBreakGlassReason')),
        reason,
        h('p', { class: 'hint', id: `${id}-hint` }, t('reasonRequired')),
      ),
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'button', onclick: start }, t('back')),
        h('button', { type: 'submit', class: 'danger' }, label),
      ),
      feedback,
    );
    box.replaceChildren(form);
    reason.focus();
  }
  start();
  return box;
}

/**
 * The step signed with one of the person's passkeys when they have one (tenants that require
 * signed approvals refuse unsigned seal steps; elsewhere a signature is checked and kept).
 */
async function signed(ctx: ViewContext, seal: SealSummary, purpose: SealStep, reason: string | null): Promise<object | undefined> {
  const tenant = await ctx.api.tenant(seal.tenant);
  const contentHash = await sealStepHash(
    { tenantId: tenant.id, id: seal.id, label: seal.label, requiredApprovals: seal.requiredApprovals },
    purpose,
    purpose === 'activate' ? null : reason,
  );
  const action = purpose === 'activate' ? 'seal.approve' : purpose === 'lift' ? 'seal.lift' : 'seal.break_glass';
  return signStep(ctx.api, ctx.me, { action, tenant: seal.tenant, subject: seal.id, contentHash });
}
