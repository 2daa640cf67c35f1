import { h, uid } from '../dom.js';
import { errorBox } from '../format.js';
import { dateTime, roleName, t } from '../i18n.js';
import type { ViewContext } from '../context.js';
import type { Person } from '../types.js';

/** A tenant's people (operators only): who has access, revoke with confirmation, and invite a client admin. */
export async function peoplePanel(ctx: ViewContext, panel: HTMLElement, slug: string): Promise<void> {
  const people = await ctx.api.people(slug);
  const done = (message: string) => {
    ctx.notify(message);
    ctx.refresh();
  };
  const feedback = h('div', { 'aria-live': 'polite' });
  const row = (p: Person) => {
    const actions = h('td', { 'data-label': t('actions') });
    const confirm = () => {
      const yes = h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: () =>
            void ctx.api.revoke(p.id).then(
              (res) => done(t(res.status === 202 ? 'revokePending' : 'revoked', { name: p.name })),
              (err: unknown) => feedback.replaceChildren(errorBox(err)),
            ),
        },
        t('confirmRevoke'),
      );
      actions.replaceChildren(
        h('p', {}, t('revokeText', { name: p.name })),
        h('button', { type: 'button', onclick: start }, t('back')),
        ' ',
        yes,
      );
      yes.focus();
    };
    const start = () =>
      actions.replaceChildren(
        p.revokedAt ? '' : h('button', { type: 'button', 'aria-label': `${t('revoke')} ${p.name}`, onclick: confirm }, t('revoke')),
      );
    start();
    return h(
      'tr',
      { 'data-person': p.id },
      h('td', { 'data-label': t('name') }, p.name),
      h('td', { 'data-label': t('personRole') }, roleName(p.role)),
      h('td', { 'data-label': t('email') }, p.email ?? '—'),
      h('td', { 'data-label': t('since') }, dateTime(p.createdAt)),
      h('td', { 'data-label': t('access') }, p.revokedAt ? t('revokedOn', { when: dateTime(p.revokedAt) }) : t('active')),
      actions,
    );
  };
  const nameId = uid('invite-name');
  const emailId = uid('invite-email');
  const name = h('input', { id: nameId, type: 'text', name: 'name', required: true, maxlength: 200, autocomplete: 'off' });
  const email = h('input', { id: emailId, type: 'email', name: 'email', required: true, maxlength: 254, autocomplete: 'off' });
  const form = h(
    'form',
    {
      class: 'invite',
      novalidate: true,
      onsubmit: (e: Event) => {
        e.preventDefault();
        void ctx.api.invite(slug, { name: name.value.trim(), email: email.value.trim() }).then(
          (res) => done(t(res.status === 202 ? 'invitePending' : 'invited', { name: name.value.trim() })),
          (err: unknown) => feedback.replaceChildren(errorBox(err, form)),
        );
      },
    },
    h('h3', {}, t('inviteTitle')),
    h('p', { class: 'hint' }, t('inviteHint')),
    h('div', { class: 'field' }, h('label', { for: nameId }, t('personName')), name),
    h('div', { class: 'field' }, h('label', { for: emailId }, t('email')), email),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, t('invite'))),
  );
  const heads = [t('name'), t('personRole'), t('email'), t('since'), t('access'), t('actions')];
  panel.append(
    people.length
      ? h(
          'table',
          { class: 'data people' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              heads.map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h('tbody', {}, people.map(row)),
        )
      : h('p', { class: 'muted' }, t('noPeople')),
    feedback,
    form,
  );
}
