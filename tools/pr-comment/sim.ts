import * as fs from 'fs';
import { z } from 'zod';
import { UsageError } from '../lib/exit-codes';
import { readJsonFile } from '../lib/json-file';

/** Where the pull-request workflow leaves the simulator's prod verdicts (`npm run simulate -- --json`). */
export const SIM_FILE = 'dist/sim/prod.json';

const seconds = z.number().nonnegative().nullable().optional();

/** The `npm run simulate -- --json` output (DESIGN.md §3.7); fields the comment does not show pass. */
const simSchema = z.object({
  env: z.string().min(1),
  traces: z.array(
    z.object({
      trace: z.string().min(1),
      verdict: z.string().min(1),
      /** `advisory`: reported, never fails the simulate command (issue 12 surprise-spike). */
      budget: z.string().optional(),
      rtoSeconds: seconds,
      workloads: z.array(
        z.object({
          workload: z.string().min(1),
          region: z.string().min(1),
          timeToCapacitySeconds: seconds,
          breachSeconds: seconds,
          peakPods: seconds,
          peakNodes: seconds,
        }),
      ),
    }),
  ),
});

export type SimResult = z.infer<typeof simSchema>;

/**
 * Reads the simulator's verdicts. A missing file is no simulation (the comment omits the section)
 * unless `required` (the file was named with `--sim`); a malformed one is bad input naming the field.
 */
export function readSim(file: string, required: boolean): SimResult | undefined {
  if (!fs.existsSync(file)) {
    if (required)
      throw new UsageError('--sim', file, 'an existing file written by npm run simulate -- --json');
    return undefined;
  }
  return readJsonFile(file, simSchema, {
    label: '--sim',
    expected:
      '{ env, traces: [{ trace, verdict, rtoSeconds?, workloads: [{ workload, region, timeToCapacitySeconds, breachSeconds, peakPods, peakNodes }] }] }',
  });
}
