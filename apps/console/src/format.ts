import { h, type Child } from './dom.js';
import { local, riskName, t } from './i18n.js';
import type { Localized, Risk } from './types.js';

/** The catalog's words for values, keyed by the value (`"true"`/`"false"` for booleans). */
export type ValueLabels = Record<string, Localized> | undefined;

/**
 * A value in plain words: the catalog's label of each value when it has one (enumerated values
 * always do), On/Off for other booleans, lists joined, "none" for empty.
 */
export function plain(value: unknown, labels?: ValueLabels): string {
  const label = (typeof value === 'string' || typeof value === 'boolean') && labels ? labels[String(value)] : undefined;
  if (label) return local(label);
  if (value === true) return t('on');
  if (value === false) return t('off');
  if (value === null || value === undefined) return t('none');
  if (Array.isArray(value)) return value.length ? value.map((v) => plain(v, labels)).join(', ') : t('none');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${plain(v, labels)}`)
      .join('; ');
  }
  return String(value);
}

export function riskBadge(risk: Risk): HTMLElement {
  return h('span', { class: `badge risk-${risk}` }, riskName(risk));
}

export { errorBox } from './errors.js';

export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

/** Where two JSON values differ: objects are compared key by key, anything else as a whole. */
export function changes(before: unknown, after: unknown, path = ''): Change[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const absent = (v: unknown) => v === null || v === undefined;
  // A record created or removed (before or after null) is shown field by field too.
  if ((isObj(before) || absent(before)) && (isObj(after) || absent(after)) && (isObj(before) || isObj(after))) {
    const b = isObj(before) ? before : {};
    const a = isObj(after) ? after : {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    return keys.flatMap((k) => changes(b[k], a[k], `${path}/${k}`));
  }
  return [{ path, before, after }];
}

/** A before → after view of one change, one line per differing path, each value in plain words. */
export function diffView(before: unknown, after: unknown, labels?: ValueLabels): HTMLElement {
  const shown = (v: unknown): string => plain(v, labels);
  const list = changes(before, after);
  if (!list.length) return h('span', { class: 'muted' }, t('noDiff'));
  return h(
    'ul',
    { class: 'diff', 'aria-label': t('diff') },
    list.map(
      (c): Child =>
        h(
          'li',
          {},
          c.path ? [h('code', {}, c.path), ' '] : null,
          c.before === undefined ? h('span', { class: 'muted' }, '—') : h('del', {}, shown(c.before)),
          h('span', { 'aria-hidden': 'true' }, ' → '),
          h('span', { class: 'sr-only' }, ` ${t('becomes')} `),
          c.after === undefined ? h('span', { class: 'muted' }, '—') : h('ins', {}, shown(c.after)),
        ),
    ),
  );
}
