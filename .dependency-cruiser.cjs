// Boundaries between Cloison's packages, checked by `npm run lint:deps` (part of `npm test`).
// Type-only imports count: a cycle through types is still a cycle between files.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Files must not import each other in a cycle (also through index files and type-only imports).',
      from: { path: '^(apps|libs|bin)/' },
      to: { circular: true },
    },
    {
      name: 'libs-not-to-apps',
      severity: 'error',
      comment: 'Libraries are composed by the apps, never the other way round.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'cli-not-to-api',
      severity: 'error',
      comment: 'The cloison command talks HTTP to the API and verifies offline; what it shares with the API lives in libs/.',
      from: { path: '^apps/cli/' },
      to: { path: '^apps/api/' },
    },
    {
      name: 'audit-format-is-pure',
      severity: 'error',
      comment:
        'The audit and seal formats are checked offline by third parties: no Nest, Prisma or CASL, and no other library ' +
        '(each of which brings those in).',
      from: { path: '^libs/audit-format/', pathNot: '\\.spec\\.ts$' },
      to: {
        path: ['^node_modules/(@nestjs|@prisma|prisma|@casl)/', '^libs/(?!audit-format/)', '^apps/', '^libs/persistence/src/generated/'],
      },
    },
    {
      name: 'only-persistence-connects',
      severity: 'error',
      comment: 'Only libs/persistence opens database connections or creates Prisma clients.',
      from: { path: '^(apps|libs)/', pathNot: '^libs/persistence/' },
      to: { path: ['^node_modules/(pg|@prisma/adapter-pg|@prisma/client|@electric-sql)/', '^libs/persistence/src/generated/'] },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'Every import resolves (a `#name` missing from package.json "imports" would only fail at run time).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^libs/persistence/src/generated/.+/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // package.json "imports" (`#audit`, …) resolve to the sources, as under tsc and jest
    enhancedResolveOptions: {
      conditionNames: ['cloison-source', 'import', 'require', 'node', 'default'],
      exportsFields: ['exports'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
