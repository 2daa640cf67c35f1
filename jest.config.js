import { availableParallelism } from 'node:os';

// ESM NestJS under jest: sources are transformed by swc and loaded as ES modules
// (the test scripts set NODE_OPTIONS=--experimental-vm-modules).
const base = {
  testEnvironment: 'node',
  // `#name` imports resolve to the TypeScript sources (package.json "imports", condition "cloison-source").
  testEnvironmentOptions: { customExportConditions: ['cloison-source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'es6' },
      },
    ],
  },
};

// Projects that use a database copy it from a template migrated once per run (test/support/template-database.ts).
const withDatabase = {
  ...base,
  globalSetup: '<rootDir>/test/support/jest.global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/jest.global-teardown.mjs',
};

const projects = [
  // No database, no server: the quick loop (`npm run test:unit`).
  {
    ...base,
    displayName: 'unit',
    testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'],
  },
  {
    ...withDatabase,
    displayName: 'e2e',
    testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/isolation/'],
  },
  { ...withDatabase, displayName: 'isolation', testMatch: ['<rootDir>/test/isolation/**/*.e2e-spec.ts'] },
];

// TEST_PROJECTS=unit,e2e picks projects (the test:* scripts) and, unlike --selectProjects, leaves
// arguments appended by `npm run test:unit -- <file>` to name files.
const picked = process.env.TEST_PROJECTS?.split(',').filter(Boolean);

// Tests on a PostgreSQL server spend most of their time waiting on it, and unit tests need no database: two
// workers keep two cores busy where jest's default (one fewer than the cores) runs one file at a time. The
// embedded database computes inside the worker itself: with two workers on a busy two-core machine, a test
// that boots it three times from empty went past its time limit, so its runs keep the default.
const embedded = !process.env.DATABASE_URL && (!picked || picked.some((p) => p !== 'unit'));

export default {
  testTimeout: 60000,
  ...(embedded ? {} : { maxWorkers: Math.max(2, availableParallelism() - 1) }),
  testSequencer: '<rootDir>/test/support/jest.sequencer.mjs',
  projects: picked ? projects.filter((p) => picked.includes(p.displayName)) : projects,
};
