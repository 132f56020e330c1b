import { rmSync } from 'node:fs';
import { leftovers, TEMP_ROOT_VAR } from './temp-root';

/** Fails the run when a test left a temp entry behind, naming each one; then removes the root. */
export default function globalTeardown(): void {
  const root = process.env[TEMP_ROOT_VAR];
  if (!root) return;
  const left = leftovers(root);
  rmSync(root, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(
      `tests left ${left.length} temp entr${left.length === 1 ? 'y' : 'ies'} behind: ${left.join(', ')} ` +
        '(make them with tempDir() from test/helpers/tmp.ts, which removes them after the file)',
    );
  }
}
