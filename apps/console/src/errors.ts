import { h } from './dom.js';
import { t, type TextKey } from './i18n.js';
import { ApiError, type ApiIssue } from './api.js';

/** What each refusal means for the person, by HTTP status. */
const STATUS: Record<number, TextKey> = {
  400: 'err400',
  401: 'err401',
  403: 'err403',
  404: 'err404',
  409: 'err409',
  412: 'err412',
  422: 'err422',
  423: 'err423',
  429: 'err429',
};

/** The fields people fill, by the JSON pointer the API names. */
const FIELDS: Record<string, TextKey> = {
  '/reason': 'fieldReason',
  '/value': 'fieldValue',
  '/label': 'fieldLabel',
  '/email': 'fieldEmail',
  '/name': 'fieldName',
  '/slug': 'fieldSlug',
  '/riskLevel': 'fieldRiskLevel',
  '/tenants': 'fieldTenants',
  '/preset': 'fieldPreset',
};

const number = (message: string) => /(\d+)/.exec(message)?.[1] ?? '';

/** One refused field in the person's words: which field, and what it needs. */
export function issueText(d: ApiIssue): string {
  const top = `/${d.pointer.split('/')[1] ?? ''}`;
  const field = FIELDS[d.pointer] ?? FIELDS[top] ?? 'fieldValue';
  const rule: Record<string, string> = {
    required: t('ruleRequired'),
    minLength: t('ruleMinLength', { n: number(d.message) }),
    maxLength: t('ruleMaxLength', { n: number(d.message) }),
    minimum: t('ruleMinimum', { n: /(-?\d+(\.\d+)?)/.exec(d.message)?.[1] ?? '' }),
    maximum: t('ruleMaximum', { n: /(-?\d+(\.\d+)?)/.exec(d.message)?.[1] ?? '' }),
    pattern: t('rulePattern'),
    format: t('ruleFormat'),
    enum: t('ruleEnum'),
    type: t('ruleType'),
    minItems: t('ruleMinItems'),
  };
  return t('stepLine', { step: t(field), state: rule[d.rule] ?? t('ruleOther') });
}

let errors = 0;

/**
 * An API refusal in the person's language: what happened, each refused field with what it needs
 * (the field itself is marked invalid in `form`, and its description points at the message), and
 * the server's own words folded away for support.
 */
export function errorBox(err: unknown, form?: HTMLElement): HTMLElement {
  if (!(err instanceof ApiError)) {
    return h('div', { class: 'error', role: 'alert' }, h('p', {}, err instanceof Error ? err.message : String(err)));
  }
  const { body } = err;
  const id = `error-${++errors}`;
  const details = body.details ?? [];
  if (form) {
    for (const old of form.querySelectorAll('[aria-invalid=true]')) old.removeAttribute('aria-invalid');
    for (const d of details) {
      const name = d.pointer.split('/')[1];
      const control = name ? form.querySelector<HTMLElement>(`[name="${CSS.escape(name)}"]`) : null;
      if (!control) continue;
      control.setAttribute('aria-invalid', 'true');
      const described = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && x !== id);
      control.setAttribute('aria-describedby', [...described, id].join(' '));
    }
  }
  return h(
    'div',
    { class: 'error', role: 'alert', id, tabindex: -1, 'data-status': body.statusCode },
    h('p', { class: 'error-title' }, t(STATUS[body.statusCode] ?? (body.statusCode >= 500 ? 'err500' : 'errOther'))),
    details.length
      ? h(
          'ul',
          { class: 'error-details' },
          details.map((d) => h('li', { 'data-pointer': d.pointer, 'data-rule': d.rule }, issueText(d))),
        )
      : null,
    h(
      'details',
      { class: 'error-technical' },
      h('summary', {}, t('errTechnical')),
      h('p', { class: 'error-message' }, `${body.statusCode} ${body.error}: ${body.message}`),
      details.map((d) => h('p', {}, h('code', {}, d.pointer), ` ${d.rule}: ${d.message}`)),
      body.requestId ? h('p', { class: 'muted' }, `request ${body.requestId}`) : null,
    ),
  );
}
