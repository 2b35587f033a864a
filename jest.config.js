// Jest runs in ESM mode: NestJS 12 ships ES modules only, which Jest's CommonJS
// loader cannot require. `npm run test:jest` sets --experimental-vm-modules.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/examples', '<rootDir>/scripts', '<rootDir>/deploy'],
  testMatch: ['**/*.spec.ts', '**/test/**/*.e2e-spec.ts'],
  moduleNameMapper: {
    // A library's second entry, for specs only (see libs/capability/README.md); before the general rule.
    '^@app/capability-testing$': '<rootDir>/libs/capability/src/testing/index.ts',
    '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    // Sources import siblings as './x.js' (NodeNext ESM); Jest resolves the .ts.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testTimeout: 60_000,
};
