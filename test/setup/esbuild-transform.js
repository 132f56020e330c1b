// Jest transform for TypeScript: esbuild strips the types of one file at a time (tsconfig sets
// isolatedModules, and `tsc --noEmit` does the type-checking once, in `npm test`). It replaces
// ts-jest, whose per-worker TypeScript load and transpile made up a large part of a cold run.
// esbuild does not hoist `jest.mock` calls above imports as ts-jest does: a test that mocks a
// module must require its subject after the mock (test/policies/pack.test.ts does).
const { createHash } = require('node:crypto');
const { transformSync, version } = require('esbuild');

// `import()` becomes `require()`: jest's module registry (and its mocks) sees only require.
const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'node20',
  platform: 'node',
  sourcemap: 'inline',
  supported: { 'dynamic-import': false },
};

module.exports = {
  process(source, filename) {
    const { code } = transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code };
  },
  getCacheKey(source, filename) {
    return createHash('sha256')
      .update(`${version}\0${JSON.stringify(OPTIONS)}\0${filename}\0${source}`)
      .digest('hex');
  },
};
