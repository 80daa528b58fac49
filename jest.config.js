// Jest runs the TypeScript tests as ES modules (NODE_OPTIONS=--experimental-vm-modules, set by
// scripts/test.sh) against the built package, imported by its name as a user would.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/js'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^rnn-wasm$': '<rootDir>/dist/index.js',
    // tests import their helpers with .js, as NodeNext resolution wants
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tests/js/tsconfig.json' }],
  },
  setupFilesAfterEnv: ['<rootDir>/tests/js/setup.ts'],
};
