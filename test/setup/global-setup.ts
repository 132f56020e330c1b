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
  // The AWS SDK warns once per process that its 2027 releases need Node 22: in a test run that is the
  // same 8 lines from every worker and spawned CLI (31 times). The runtime policy is in ARCHITECTURE
  // ("Runtime"); the real CLIs still print it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
