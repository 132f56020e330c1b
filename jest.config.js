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
  // Three workers on two cores: the DR suites wait on emulators and polls about a fifth of their time
  // (CPU profile of test/dr/runner.test.ts: 5.6 of 24 s idle), which a third worker fills. Measured on
  // this 2-core machine, `npm test` 226 s with 2 workers, 199 s with 3.
  maxWorkers: 3,
};
