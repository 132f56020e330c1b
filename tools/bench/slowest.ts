import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { UsageError } from '../lib/exit-codes';
import { readJsonFile } from '../lib/json-file';

/** Where `.ci/run` leaves jest's results (`npm test -- --json --outputFile=dist/jest-results.json`). */
export const JEST_RESULTS = 'dist/jest-results.json';

/** The part of jest's `--json` output the bench reads: each suite's file and its start and end (ms). */
const resultsSchema = z.object({
  startTime: z.number().optional(),
  testResults: z.array(
    z.object({
      name: z.string().min(1),
      startTime: z.number(),
      endTime: z.number(),
    }),
  ),
});

export interface SuiteTime {
  /** The test file, relative to the working directory when under it. */
  readonly suite: string;
  readonly seconds: number;
}

/**
 * The `top` slowest suites of a jest run, slowest first (ties by name), each its wall time in
 * seconds to two decimals. Pure.
 */
export function slowestSuites(
  results: z.infer<typeof resultsSchema>,
  top = 5,
  cwd = process.cwd(),
): SuiteTime[] {
  return results.testResults
    .map((r) => ({
      suite:
        path.isAbsolute(r.name) && r.name.startsWith(cwd + path.sep) ? path.relative(cwd, r.name) : r.name,
      seconds: Math.round(Math.max(0, r.endTime - r.startTime) / 10) / 100,
    }))
    .sort((a, b) => b.seconds - a.seconds || (a.suite < b.suite ? -1 : a.suite > b.suite ? 1 : 0))
    .slice(0, top);
}

/**
 * Reads jest's results. A missing file is no results (the bench says so) unless `required` (named
 * with `--jest-results`); a malformed one is bad input naming the file and the field.
 */
export function readJestResults(file: string, required: boolean): z.infer<typeof resultsSchema> | undefined {
  if (!fs.existsSync(file)) {
    if (required) {
      throw new UsageError(
        '--jest-results',
        file,
        'an existing file written by jest --json --outputFile=<file>',
      );
    }
    return undefined;
  }
  return readJsonFile(file, resultsSchema, {
    label: '--jest-results',
    expected: 'jest --json output: { testResults: [{ name, startTime, endTime }] }',
  });
}
