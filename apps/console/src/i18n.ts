import type { Localized, Risk } from './types.js';
import { en, type TextKey } from './texts/en.js';
import { fr } from './texts/fr.js';

export type Lang = 'en' | 'fr';
export type { TextKey };

const TEXTS: Record<Lang, Record<TextKey, string>> = { en, fr };
const STORAGE_KEY = 'cloison.lang';

let current: Lang = initialLang();

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'fr') return saved;
  return navigator.language.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

export const lang = (): Lang => current;

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

export function t(key: TextKey, vars: Record<string, string | number> = {}): string {
  return TEXTS[current][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export const local = (text: Localized): string => text[current];
export const riskName = (risk: Risk): string => t(`risk_${risk}`);

export function dateTime(iso: string): string {
  return new Intl.DateTimeFormat(current === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A role in words; an unknown role code as it is. */
export function roleName(role: string): string {
  const key = `role_${role}`;
  return key in TEXTS[current] ? t(key as TextKey) : role;
}
