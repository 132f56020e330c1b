/**
 * Traces: demand over time per signal, as data files (tools/sim/traces/*.json; format in
 * docs/ARCHITECTURE.md "The capacity simulator"). Points are `[seconds, value]`, linear in between and
 * constant after the last one. `unit: "peak"` values are fractions of the environment's declared peak
 * of that signal; `"absolute"` values are rates (per second), e.g. exported from Datadog.
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { UsageError } from '../lib/exit-codes';

export const SIGNALS = ['scoringRps', 'streamRecordsPerSec', 'feedbackMessagesPerSec'] as const;
export type Signal = (typeof SIGNALS)[number];

const points = z
  .array(z.tuple([z.number().nonnegative(), z.number().nonnegative()]), {
    message: 'an array of [seconds, value] pairs',
  })
  .min(1)
  .refine((p) => p.every((x, i) => i === 0 || x[0] > p[i - 1][0]), {
    message: 'points with strictly increasing seconds',
  });

export const traceSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/, { message: 'a kebab-case name' }),
  description: z.string(),
  /** `load`: the active region takes the demand; `failover`: the standby region takes it after the runbook. */
  kind: z.enum(['load', 'failover']),
  durationSeconds: z
    .number()
    .int()
    .positive()
    .max(7 * 86400),
  /** Step of the simulation (1 or 5 s). @default 1 */
  stepSeconds: z.union([z.literal(1), z.literal(5)]).optional(),
  unit: z.enum(['peak', 'absolute']),
  signals: z.partialRecord(z.enum(SIGNALS), points),
  /**
   * An announced launch: the launch window `window` (config `capacity.launchWindows[].name`) opens at
   * `opensAtSeconds` of the trace. The simulator then applies the plan's pre-scale objects of that
   * window (the ScaledObjects' `prescale-<window>` cron triggers, the `prescale-<window>-open|close`
   * scheduled actions) for their planned length. @default - unannounced: reactive scaling only
   */
  prescale: z
    .strictObject({
      window: z.string().regex(/^[a-z0-9-]+$/, { message: 'a launch window name' }),
      opensAtSeconds: z.number().nonnegative(),
    })
    .optional(),
  /**
   * `advisory`: the trace's verdict is reported (text and `--json`) but never fails the command, e.g. an
   * unannounced spike that no budget-conforming setting can meet; `advisoryReason` says why.
   * @default 'budgeted'
   */
  budget: z.enum(['budgeted', 'advisory']).optional(),
  advisoryReason: z.string().min(1).optional(),
});

export type Trace = z.infer<typeof traceSchema>;

/** The committed traces. */
export const TRACES_DIR = path.join(__dirname, 'traces');

/** The value of a piecewise-linear series at `t`. */
export function valueAt(series: readonly (readonly [number, number])[], t: number): number {
  if (t <= series[0][0]) return series[0][1];
  for (let i = 1; i < series.length; i++) {
    const [t1, v1] = series[i];
    if (t <= t1) {
      const [t0, v0] = series[i - 1];
      return v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
    }
  }
  return series[series.length - 1][1];
}

/** Reads and validates a trace file; bad input names the file and the key. */
export function readTrace(file: string, argument = '--trace'): Trace {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(argument, file, `a readable JSON trace file (${(e as Error).message})`);
  }
  const parsed = traceSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `${argument} ${file}: ${issue.path.join('.') || '(root)'}`,
      undefined,
      issue.message,
    );
  }
  return parsed.data;
}

/** The committed traces, by file name order. */
export function committedTraces(dir = TRACES_DIR): Trace[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readTrace(path.join(dir, f), `trace ${f}`));
}
