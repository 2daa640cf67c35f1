import { plain } from './format.js';
import { lang, local, roleName } from './i18n.js';
import type { ViewContext } from './context.js';
import type { AuditEvent } from './types.js';

/**
 * Each audit action as a sentence, in both languages. {who} is the person with their role in
 * words, {option} the option's title, {before}/{after}/{value} values in the catalog's words,
 * {label} a seal's label.
 */
const SENTENCES: Record<string, { en: string; fr: string }> = {
  'tenant.created': { en: '{who} created the organisation', fr: '{who} a créé l’organisation' },
  'option.set': {
    en: '{who} changed “{option}” from “{before}” to “{after}”',
    fr: '{who} a modifié « {option} » de « {before} » à « {after} »',
  },
  'option.reset': {
    en: '{who} put “{option}” back to its default, from “{before}” to “{after}”',
    fr: '{who} a remis « {option} » à sa valeur par défaut, de « {before} » à « {after} »',
  },
  'option.default_applied': {
    en: '{who} applied the new platform default of “{option}”: “{before}” to “{after}”',
    fr: '{who} a appliqué le nouveau défaut de la plateforme pour « {option} » : « {before} » à « {after} »',
  },
  'option.pinned': {
    en: '{who} kept “{option}” at “{before}” when the platform default changed',
    fr: '{who} a conservé « {option} » à « {before} » lors du changement du défaut de la plateforme',
  },
  'registry.default_changed': {
    en: '{who} changed the platform default of “{option}”',
    fr: '{who} a modifié le défaut de la plateforme pour « {option} »',
  },
  'preset.applied': { en: '{who} applied a preset of settings', fr: '{who} a appliqué un préréglage' },
  'principal.created': { en: '{who} gave someone access', fr: '{who} a donné un accès' },
  'principal.revoked': { en: '{who} revoked someone’s access', fr: '{who} a révoqué un accès' },
  'principal.requested': {
    en: '{who} asked for a new access, to be approved by someone else',
    fr: '{who} a demandé un nouvel accès, à approuver par quelqu’un d’autre',
  },
  'principal.request_approved': { en: '{who} approved a request for access', fr: '{who} a approuvé une demande d’accès' },
  'principal.token_delivered': { en: '{who} collected an access token', fr: '{who} a retiré un jeton d’accès' },
  'invitation.created': { en: '{who} invited an administrator', fr: '{who} a invité un administrateur' },
  'invitation.sent': { en: '{who} sent an invitation', fr: '{who} a envoyé une invitation' },
  'invitation.redeemed': { en: '{who} accepted an invitation', fr: '{who} a accepté une invitation' },
  'invitation.redeem_refused': { en: 'An invitation was refused for {who}', fr: 'Une invitation a été refusée pour {who}' },
  'change_request.created': {
    en: '{who} asked to set “{option}” to “{value}”',
    fr: '{who} a demandé de passer « {option} » à « {value} »',
  },
  'change_request.edited': {
    en: '{who} edited the request on “{option}”: now “{value}”',
    fr: '{who} a modifié la demande sur « {option} » : désormais « {value} »',
  },
  'change_request.approved': { en: '{who} approved the change of “{option}”', fr: '{who} a approuvé la modification de « {option} »' },
  'change_request.rejected': { en: '{who} rejected the change of “{option}”', fr: '{who} a refusé la modification de « {option} »' },
  'change_request.withdrawn': { en: '{who} withdrew the request on “{option}”', fr: '{who} a retiré la demande sur « {option} »' },
  'change_request.expired': {
    en: 'The request on “{option}” expired without its approvals',
    fr: 'La demande sur « {option} » a expiré sans ses approbations',
  },
  'change_request.applied': {
    en: 'The approved change of “{option}” was applied',
    fr: 'La modification approuvée de « {option} » a été appliquée',
  },
  'seal.proposed': { en: '{who} proposed the seal “{label}”', fr: '{who} a proposé le scellé « {label} »' },
  'seal.approved': { en: '{who} approved the seal “{label}”', fr: '{who} a approuvé le scellé « {label} »' },
  'seal.activated': {
    en: 'The seal “{label}” came into force: the configuration is frozen',
    fr: 'Le scellé « {label} » est entré en vigueur : la configuration est figée',
  },
  'seal.lift_approved': { en: '{who} approved lifting the seal “{label}”', fr: '{who} a approuvé la levée du scellé « {label} »' },
  'seal.break_glass_approved': {
    en: '{who} agreed to break the seal “{label}” in an emergency',
    fr: '{who} a accepté de briser le scellé « {label} » en urgence',
  },
  'seal.lifted': { en: 'The seal “{label}” was lifted', fr: 'Le scellé « {label} » a été levé' },
  'audit.key_published': { en: '{who} published the audit signing key', fr: '{who} a publié la clé de signature du journal' },
  'audit.key_rotated': { en: '{who} replaced the audit signing key', fr: '{who} a remplacé la clé de signature du journal' },
  'operator.recovered': { en: '{who} recovered an operator’s access', fr: '{who} a rétabli l’accès d’un opérateur' },
  'tenant.signed_approvals_changed': {
    en: '{who} changed whether approvals must be signed',
    fr: '{who} a modifié l’obligation de signer les approbations',
  },
  'credential.enrolled': { en: '{who} enrolled a signing key', fr: '{who} a enregistré une clé de signature' },
  'credential.removed': { en: '{who} removed a signing key', fr: '{who} a retiré une clé de signature' },
  'credential.introduced': {
    en: '{who} signed for the organisation for the first time with a key enrolled at the vendor',
    fr: '{who} a signé pour l’organisation pour la première fois avec une clé enregistrée chez l’éditeur',
  },
};

/** Every action the log knows, for the action filter. */
export const EVENT_ACTIONS = Object.keys(SENTENCES);

/** Short names of actions for the filter's choices: the sentence without its person. */
export function actionName(action: string): string {
  const s = SENTENCES[action];
  if (!s) return action;
  const text = s[lang()].replace(/^\{who\} /, '').replace(/ pour \{who\}$| for \{who\}$/, '');
  return (text.charAt(0).toUpperCase() + text.slice(1)).replace(/“\{\w+\}”|« \{\w+\} »/g, '…').replace(/: .*$/, '');
}

const field = (v: unknown, name: string): unknown =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[name] : undefined;

/** One event as a sentence in the person's language: who (and in which role) did what to which option. */
export function eventSentence(ctx: ViewContext, e: AuditEvent): string {
  const def = e.option ? ctx.registry.get(e.option) : undefined;
  const words = (v: unknown) => plain(v, def?.valueLabels);
  const template = SENTENCES[e.action]?.[lang()] ?? `{who}: ${e.action}`;
  const value = field(e.after, 'value');
  const vars: Record<string, string> = {
    who: `${e.actor.name} (${roleName(e.actor.role)})`,
    option: e.option ? (def ? local(def.title) : e.option) : '',
    before: words(e.before),
    after: words(e.after),
    value: value === undefined ? words(def?.default) : words(value),
    // Only the proposal records the label; later steps name the seal by its id.
    label: String(field(e.after, 'label') ?? String(field(e.after, 'id') ?? '').slice(0, 8)),
  };
  return template.replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
}
