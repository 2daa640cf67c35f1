import { h, type Child } from '../dom.js';
import { diffView, plain, riskBadge } from '../format.js';
import { dateTime, local, roleName, t } from '../i18n.js';
import { dangerMark, isDangerous } from '../danger.js';
import type { ViewContext } from '../context.js';
import type { ChangeRequest } from '../types.js';

/** How many characters of the content hash are shown; the copy button gives all of it. */
const SHORT_HASH = 12;

type Step = 'operator' | 'clientAdmin';
const ROLE_OF: Record<Step, string> = { operator: 'operator', clientAdmin: 'client_admin' };

/**
 * What a person needs to judge a request: the option and its risk, its value before and after in
 * the catalog's words, who asked and why, each approval still owed or already given (by whom,
 * when), and the fingerprint of the content an approval is bound to.
 */
export function requestSummary(ctx: ViewContext, r: ChangeRequest, current: { value: unknown } | undefined, tenantName?: string): Child[] {
  const def = ctx.registry.get(r.option);
  const title = def ? local(def.title) : r.option;
  const after = r.operation === 'set' ? r.value : def?.default;
  const before = current?.value;
  const danger = isDangerous(def, after);

  const steps = (['operator', 'clientAdmin'] as Step[]).filter((s) => r.required[s]);
  // A client admin's approval is the client's consent only when the server says so (`forClient`).
  const given = (s: Step) =>
    r.approvals.find((a) => a.role === ROLE_OF[s] && a.principal.id !== r.requestedBy.id && (s === 'operator' || a.forClient));
  const notClient = r.approvals.filter((a) => a.role === 'client_admin' && !a.forClient);
  const done = steps.filter((s) => given(s)).length;
  const step = (s: Step) => {
    const a = given(s);
    return h(
      'li',
      { class: a ? 'step step-done' : 'step step-waiting', 'data-step': s },
      t('stepLine', {
        step: t(s === 'operator' ? 'stepOperator' : 'stepClient'),
        state: a ? t('approvedByOn', { who: a.principal.name, when: dateTime(a.at) }) : t('stillNeeded'),
      }),
    );
  };

  return [
    h(
      'h3',
      {},
      title,
      ' ',
      def ? riskBadge(def.risk) : null,
      tenantName ? h('span', { class: 'request-tenant' }, ` · ${tenantName}`) : null,
    ),
    h(
      'div',
      { class: `request-change${danger ? ' dangerous' : ''}` },
      r.operation === 'reset' ? h('p', { class: 'muted' }, t('resetRequest')) : null,
      current ? diffView(before, after, def?.valueLabels) : h('p', {}, plain(after ?? null, def?.valueLabels)),
      danger ? dangerMark() : null,
    ),
    h('p', { class: 'asked' }, t('askedBy', { who: r.requestedBy.name, role: roleName(r.requestedBy.role), when: dateTime(r.createdAt) })),
    h('p', { class: 'request-reason' }, t('stepLine', { step: t('reasonLabel'), state: r.reason })),
    steps.length
      ? h(
          'div',
          { class: 'approval-steps' },
          h('p', { class: 'progress' }, t('progress', { done, total: steps.length })),
          h('ul', {}, steps.map(step), notClient.map(notClientLine)),
        )
      : null,
    hashLine(ctx, r.contentHash),
  ];
}

/** An approval kept on record that is not the client's consent, said so with who made its author. */
export function notClientLine(a: { principal: { name: string }; madeBy: { name: string } | null }): HTMLElement {
  return h(
    'li',
    { class: 'step step-void', 'data-note': 'not-for-client' },
    t('approvalNotClient', { who: a.principal.name, maker: a.madeBy?.name ?? t('someoneAtVendor') }),
  );
}

function hashLine(ctx: ViewContext, hash: string): HTMLElement {
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(hash);
      ctx.notify(t('hashCopied'));
    } catch {
      // No clipboard (permission refused): the person can still select the full value.
      code.textContent = hash;
    }
  };
  const code = h('code', { class: 'hash', title: hash }, `${hash.slice(0, SHORT_HASH)}…`);
  return h(
    'p',
    { class: 'hash-line' },
    t('contentHash'),
    ' ',
    code,
    ' ',
    h('button', { type: 'button', class: 'small', 'aria-label': t('copyHash'), onclick: () => void copy() }, t('copy')),
  );
}
