import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMP_ROOT_VAR } from './temp-root';

/**
 * Gives the run its own temp root: TMPDIR points at it, so every test worker and every process a
 * test spawns (they inherit the environment) makes its temp files there, and the teardown can tell
 * exactly what the run left behind, even when other programs use the system temp folder meanwhile.
 */
export default function globalSetup(): void {
  const root = mkdtempSync(join(tmpdir(), 'risk-platform-test-'));
  process.env[TEMP_ROOT_VAR] = root;
  process.env.TMPDIR = root;
}
