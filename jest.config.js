/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type-checking is done once by `tsc --noEmit`; isolatedModules (tsconfig) makes ts-jest transpile only.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 60000,
  // Pulumi's runtime keeps process-wide state: every test file gets its own worker module registry.
  maxWorkers: 2,
};
