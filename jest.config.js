// ESM NestJS under jest: sources are transformed by swc and loaded as ES modules
// (the test script sets NODE_OPTIONS=--experimental-vm-modules).
export default {
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
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.spec.ts'],
  testTimeout: 60000,
};
