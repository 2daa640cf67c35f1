import { MAX_DEPTH, storableIssue } from './schema.pipe.js';

const nested = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = { n: v };
  return v;
};

describe('storable input', () => {
  it('accepts ordinary JSON of every kind', () => {
    for (const ok of [
      {},
      [],
      'text',
      1,
      null,
      true,
      { context: { targetingKey: 'voter-1', tags: ['a', { b: [1, null] }] } },
      nested(MAX_DEPTH),
    ]) {
      expect(storableIssue(ok)).toBeUndefined();
    }
  });

  it('names the pointer of U+0000 in a string or a key, escaping ~ and /', () => {
    expect(storableIssue('a\u0000')).toEqual({ pointer: '/', rule: 'characters', message: 'must not contain U+0000' });
    expect(storableIssue({ context: { 'a/b~c': ['ok', 'x\u0000'] } })).toMatchObject({ pointer: '/context/a~1b~0c/1', rule: 'characters' });
    expect(storableIssue({ context: { 'k\u0000': 1 } })).toMatchObject({ pointer: '/context/k\u0000', rule: 'characters' });
  });

  it('names the pointer of a lone surrogate in a string or a key, rule unicode; accepts paired ones', () => {
    const lone = JSON.parse('{"reason": "ab\\ud800c", "ok": "\\ud83d\\ude00"}');
    expect(storableIssue(lone)).toEqual({
      pointer: '/reason',
      rule: 'unicode',
      message: 'must be well-formed Unicode (no lone surrogate)',
    });
    expect(storableIssue(JSON.parse('{"context": {"tags": ["ok", "\\udc00"]}}'))).toMatchObject({
      pointer: '/context/tags/1',
      rule: 'unicode',
    });
    expect(storableIssue(JSON.parse('{"context": {"k\\udbff": 1}}'))).toMatchObject({ rule: 'unicode' });
    expect(storableIssue('x\udfff')).toMatchObject({ pointer: '/', rule: 'unicode' });
    expect(storableIssue({ emoji: '\ud83d\ude00 ✅' })).toBeUndefined();
  });

  it('refuses nesting deeper than MAX_DEPTH at the first level too deep', () => {
    const issue = storableIssue(nested(MAX_DEPTH + 1));
    expect(issue).toMatchObject({ rule: 'maxDepth' });
    expect(issue?.pointer).toBe('/n'.repeat(MAX_DEPTH));
  });
});
