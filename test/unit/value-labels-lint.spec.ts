import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lintCatalog } from '#registry/catalog.loader';
import { tempDir } from '../support/temp-dir.js';

function copyWith(key: string, edit: (def: Record<string, unknown>) => Record<string, unknown>): string {
  const dir = tempDir('cloison-labels-');
  cpSync(resolve('catalog'), dir, { recursive: true });
  const file = join(dir, 'options', `${key}.json`);
  writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')))));
  return dir;
}

describe('value labels lint', () => {
  it('every enumerated value of the shipped catalog has an EN and FR label', () => {
    const { options, problems } = lintCatalog(resolve('catalog'));
    expect(problems).toEqual([]);
    const visibility = options.find((o) => o.definition.key === 'voter_results_visibility')?.definition;
    expect(visibility?.valueLabels?.after_close).toEqual({ en: 'After the vote closes', fr: 'Après la clôture du vote' });
    // Values inside a list (the items' enum) are labelled too.
    const scope = options.find((o) => o.definition.key === 'scrutineer_scope')?.definition;
    expect(Object.keys(scope?.valueLabels ?? {}).sort()).toEqual(['electors_readonly', 'emargement', 'event_log', 'turnout']);
  });

  it('names the file and the value when an enumerated value has no label', () => {
    const dir = copyWith('schedule_change', (def) => {
      const { before_opening: _dropped, ...rest } = def.valueLabels as Record<string, unknown>;
      return { ...def, valueLabels: rest };
    });
    const problems = lintCatalog(dir).problems.map((p) => `${p.file.split('/').pop()}: ${p.problem}`);
    expect(problems).toEqual(['schedule_change.json: value "before_opening" has no label in "valueLabels"']);
  });

  it('refuses a list value without a label, a label for no value and a label missing a language', () => {
    const dir = copyWith('scrutineer_scope', (def) => ({
      ...def,
      schema: {
        ...(def.schema as object),
        items: { type: 'string', enum: ['turnout', 'event_log', 'emargement', 'electors_readonly', 'results'] },
      },
      valueLabels: { ...(def.valueLabels as object), nobody: { en: 'Nobody', fr: 'Personne' } },
    }));
    const problems = lintCatalog(dir).problems.map((p) => p.problem);
    expect(problems).toEqual(
      expect.arrayContaining([
        'value "results" has no label in "valueLabels"',
        '"valueLabels" names "nobody", which is not a value of the schema',
      ]),
    );
    const noFrench = copyWith('voter_receipt', (def) => ({
      ...def,
      valueLabels: { ...(def.valueLabels as object), none: { en: 'No receipt' } },
    }));
    expect(lintCatalog(noFrench).problems.map((p) => p.problem)).toContain(
      "definition /valueLabels/none/fr must have required property 'fr' (required)",
    );
  });

  it('accepts labels of its own for a boolean option', () => {
    const dir = copyWith('revote', (def) => ({
      ...def,
      valueLabels: { true: { en: 'Allowed', fr: 'Autorisé' }, false: { en: 'Not allowed', fr: 'Interdit' } },
    }));
    expect(lintCatalog(dir).problems).toEqual([]);
  });
});
