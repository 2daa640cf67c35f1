import { createAjv, toIssues } from './json-schema.validator.js';

const SCHEMA = {
  type: 'object',
  properties: { role: { enum: ['staff', 'member'] }, team: { type: 'string' }, a: {}, b: {} },
  if: { properties: { role: { const: 'member' } } },
  then: { required: ['team'] },
  else: { not: { required: ['team'] } },
  dependentSchemas: { a: { not: { required: ['a', 'b'] } } },
} as const;

const issuesOf = (verbose: boolean, input: unknown) => {
  const validate = createAjv({ strictRequired: false, verbose }).compile(SCHEMA);
  return validate(input) ? [] : toIssues(validate.errors).map(({ pointer, rule }) => ({ pointer, rule }));
};

describe('validation issues', () => {
  it('names a property a branch forbids at its own pointer, and leaves out the failed if', () => {
    expect(issuesOf(true, { role: 'staff', team: 'x' })).toEqual([{ pointer: '/team', rule: 'not' }]);
    expect(issuesOf(true, { role: 'member' })).toEqual([{ pointer: '/team', rule: 'required' }]);
  });

  it('keeps a not over several properties as it is: none of them alone is forbidden', () => {
    expect(issuesOf(true, { role: 'member', team: 'x', a: 1, b: 2 })).toEqual([{ pointer: '/', rule: 'not' }]);
  });

  it('without the failing schema at hand, reports what ajv says', () => {
    expect(issuesOf(false, { role: 'staff', team: 'x' })).toEqual([{ pointer: '/', rule: 'not' }]);
  });
});
