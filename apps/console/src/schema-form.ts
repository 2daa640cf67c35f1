import { h, uid } from './dom.js';
import { t } from './i18n.js';
import { plain, type ValueLabels } from './format.js';
import type { JsonSchema } from './types.js';

export type Reading = { ok: true; value: unknown } | { ok: false; message: string };

/** One form control generated from an option's JSON Schema. */
export interface FieldControl {
  element: HTMLElement;
  read(): Reading;
}

const types = (schema: JsonSchema): string[] => {
  const ty = schema.type;
  return Array.isArray(ty) ? (ty as string[]) : typeof ty === 'string' ? [ty] : [];
};

function labelled(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

/**
 * Enums become selects, booleans switches, numbers number inputs with their bounds, arrays of
 * enums checkboxes, strings text inputs; anything else a JSON text area. The API stays the judge
 * of the value: the form does not block what the schema would refuse, the answer explains it.
 */
export function controlFor(schema: JsonSchema, value: unknown, label: string, labels?: ValueLabels): FieldControl {
  const id = uid('field');
  const ty = types(schema);

  if ('const' in schema) {
    return {
      element: h('p', { class: 'field' }, `${label}: `, h('strong', {}, plain(schema.const, labels)), ` (${t('fixed')})`),
      read: () => ({ ok: true, value: schema.const }),
    };
  }

  if (Array.isArray(schema.enum)) {
    const choices = schema.enum as unknown[];
    const select = h(
      'select',
      { id, name: 'value' },
      choices.map((c, i) => h('option', { value: String(i), selected: JSON.stringify(c) === JSON.stringify(value) }, plain(c, labels))),
    );
    return { element: labelled(id, label, select), read: () => ({ ok: true, value: choices[Number(select.value)] }) };
  }

  if (ty.length === 1 && ty[0] === 'boolean') {
    const box = h('input', { id, name: 'value', type: 'checkbox', role: 'switch', class: 'switch', checked: value === true });
    const state = h('span', { class: 'switch-state', 'aria-hidden': 'true' }, plain(value === true, labels));
    box.addEventListener('change', () => (state.textContent = plain(box.checked, labels)));
    return {
      element: h('div', { class: 'field field-switch' }, box, h('label', { for: id }, label), state),
      read: () => ({ ok: true, value: box.checked }),
    };
  }

  if (ty.length === 1 && (ty[0] === 'integer' || ty[0] === 'number')) {
    const min = schema.minimum as number | undefined;
    const max = schema.maximum as number | undefined;
    const input = h('input', {
      id,
      name: 'value',
      type: 'number',
      inputmode: 'numeric',
      min,
      max,
      step: ty[0] === 'integer' ? 1 : 'any',
      value: typeof value === 'number' ? value : '',
    });
    const hint = min !== undefined && max !== undefined ? t('between', { min, max }) : undefined;
    return {
      element: labelled(id, label, input, hint),
      read: () =>
        input.value.trim() === '' || Number.isNaN(Number(input.value))
          ? { ok: false, message: t('notANumber') }
          : { ok: true, value: Number(input.value) },
    };
  }

  const items = schema.items as JsonSchema | undefined;
  if (ty.length === 1 && ty[0] === 'array' && items && Array.isArray(items.enum)) {
    const chosen = new Set((Array.isArray(value) ? value : []).map((v) => JSON.stringify(v)));
    const choices = items.enum as unknown[];
    const boxes = choices.map((c) => {
      const boxId = uid('choice');
      const box = h('input', { id: boxId, type: 'checkbox', name: 'value', checked: chosen.has(JSON.stringify(c)) });
      return { c, box, element: h('div', { class: 'choice' }, box, h('label', { for: boxId }, plain(c, labels))) };
    });
    return {
      element: h(
        'fieldset',
        { class: 'field' },
        h('legend', {}, label),
        boxes.map((b) => b.element),
      ),
      read: () => ({ ok: true, value: boxes.filter((b) => b.box.checked).map((b) => b.c) }),
    };
  }

  if (ty.length >= 1 && ty.every((x) => x === 'string' || x === 'null') && ty.includes('string')) {
    const nullable = ty.includes('null');
    const input = h('input', {
      id,
      name: 'value',
      type: 'text',
      value: typeof value === 'string' ? value : '',
      maxlength: schema.maxLength as number | undefined,
    });
    return { element: labelled(id, label, input), read: () => ({ ok: true, value: nullable && input.value === '' ? null : input.value }) };
  }

  const area = h('textarea', { id, name: 'value', rows: 6, spellcheck: 'false', class: 'json' });
  area.value = JSON.stringify(value, null, 2);
  return {
    element: labelled(id, label, area, t('jsonHint')),
    read: () => {
      try {
        return { ok: true, value: JSON.parse(area.value) as unknown };
      } catch (err) {
        return { ok: false, message: t('invalidJson', { message: (err as Error).message }) };
      }
    },
  };
}
