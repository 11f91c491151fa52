import type { Config } from 'jest';

// ESM end to end: ink and its dependencies ship only ESM, so tests run as native
// ES modules (NODE_OPTIONS=--experimental-vm-modules is set by `npm test`).
const config: Config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  moduleNameMapper: {
    // Sources import './x.js' (NodeNext); map back to the .ts file for ts-jest.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testTimeout: 30000,
  // Builds dist/ once, when stale, for the tests that run the built binary.
  globalSetup: '<rootDir>/test/globalSetup.js',
};

export default config;
