import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lintCatalog } from '#registry/catalog.loader';
import { tempDir } from '../support/temp-dir.js';

describe('secrecy order lint', () => {
  it('the shipped secrecy options list their values most secret first', () => {
    const { options, problems } = lintCatalog(resolve('catalog'));
    expect(problems).toEqual([]);
    const orders = Object.fromEntries(options.filter((o) => o.definition.secrecy).map((o) => [o.definition.key, o.definition.secrecy]));
    expect(orders).toEqual({
      admin_can_view_credentials: [false, true],
      admin_results_during_vote: [false, true],
      ballot_secrecy: ['secret', 'admin_visible', 'public'],
    });
  });

  it('refuses an order that does not start with the safe value or holds invalid values', () => {
    const dir = tempDir('cloison-secrecy-');
    cpSync(resolve('catalog'), dir, { recursive: true });
    const file = join(dir, 'options', 'ballot_secrecy.json');
    const def = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...def, secrecy: ['public', 'secret', 'nobody'] }));
    const problems = lintCatalog(dir).problems.map((p) => p.problem);
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringContaining('secrecy /secrecy/2'), 'secrecy order must start with the safe value']),
    );
  });
});
