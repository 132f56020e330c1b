/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/setup/esbuild-transform.js' },
  // The cache stays in the repository (ignored by git), not in the system temp folder.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  // Every run gets its own temp root; the teardown fails the run if a test leaves anything in it.
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60000,
  // Pulumi's runtime keeps process-wide state: every test file gets its own worker module registry.
  maxWorkers: 2,
};
