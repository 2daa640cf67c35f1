import { append, download, h } from '../dom.js';
import { UNAVAILABLE, feature } from '../api.js';
import { t } from '../i18n.js';
import type { ViewContext } from '../context.js';

/** The tenant's latest seal and its signed document; a plain sentence when the server has no seals. */
export async function sealPanel(ctx: ViewContext, panel: HTMLElement, slug: string): Promise<void> {
  const found = await feature(ctx.api.seals(slug));
  if (found === UNAVAILABLE) {
    panel.append(h('p', { class: 'muted', 'data-feature': 'seals-unavailable' }, t('sealUnavailable')));
    return;
  }
  const latest = found[found.length - 1];
  if (!latest) {
    panel.append(h('p', {}, t('sealNone')));
    return;
  }
  append(panel, [
    h('p', { class: `seal seal-${latest.status}` }, t('sealStatus', { label: latest.label, status: latest.status })),
    latest.fingerprint ? h('p', {}, h('code', { class: 'fingerprint' }, latest.fingerprint)) : null,
    latest.document
      ? h(
          'button',
          {
            type: 'button',
            onclick: () => download(new Blob([JSON.stringify(latest.document, null, 2)], { type: 'application/json' }), `seal-${slug}-${latest.id}.json`),
          },
          t('sealDownload'),
        )
      : null,
  ]);
}
