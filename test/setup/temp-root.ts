import { readdirSync } from 'node:fs';

/** The environment variable that holds the run's temp root (set by the global setup). */
export const TEMP_ROOT_VAR = 'RISK_PLATFORM_TEST_TMP';

/**
 * Entries a run may leave in its temp root, because tools outside the tests own them: tsx (spawned
 * by the real-process CLI tests) keeps its compile cache in `<tmp>/tsx-<uid>`, and the shared plan
 * cache (test/helpers/plan.ts) lives in `plans/`. The root is deleted with them.
 */
const EXPECTED = [/^tsx-\d+$/, /^plans$/];

/** The entries of `root` that some test created and did not remove. */
export function leftovers(root: string): string[] {
  return readdirSync(root)
    .filter((e) => !EXPECTED.some((re) => re.test(e)))
    .sort();
}
