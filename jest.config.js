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
  // Both cores: most suites wait on servers, files and timers, and one worker (Jest's default on 2 cores) left
  // CI over its 20 minutes.
  maxWorkers: 2,
  transform: {
    // Transpile only (isolatedModules): `npm run typecheck` type-checks every spec already, and type-checking
    // each spec file again as Jest loads it took about a third of the suite's time.
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json', isolatedModules: true }],
  },
  testTimeout: 60_000,
};
