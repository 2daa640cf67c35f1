import { h } from './dom.js';
import { t } from './i18n.js';

export { isDangerous } from './danger.rule.js';

/** The marker shown beside a dangerous value, in words (colour is never the only sign). */
export const dangerMark = (): HTMLElement => h('span', { class: 'danger-mark', 'data-danger': 'true' }, t('dangerous'));
