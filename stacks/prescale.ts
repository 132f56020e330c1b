/**
 * Launch pre-scaling sizes (issue 12): what each workload and table copy is raised to during an
 * announced launch window, from the capacity model's peak need. Pure functions; the charts
 * (KEDA `cron` triggers) and stacks/data/tables.ts (scheduled actions) consume them.
 */
import { ceilUnits, ReplicaBounds, TABLE_TARGET_UTILIZATION_PERCENT, ThroughputBounds } from './capacity';
import type { EnvironmentConfig } from './config/load';
import {
  awsCron,
  kedaCron,
  LAUNCH_WINDOW_DEFAULTS,
  LaunchWindow,
  windowHoursPerMonth,
  windowSchedule,
} from './launch-windows';

/** One window as the consumers take it: both cron dialects, the level and its hours per month. */
export interface PrescaleWindow {
  readonly name: string;
  readonly timezone: string;
  readonly level: number;
  /** KEDA `cron` scaler `start` / `end` (five fields). */
  readonly kedaStart: string;
  readonly kedaEnd: string;
  /** Application Auto Scaling `schedule` of the opening and of the closing action. */
  readonly awsStart: string;
  readonly awsEnd: string;
  readonly hoursPerMonth: number;
}

/** The environment's windows with their defaults applied. @default - none */
export function prescaleWindows(config: Pick<EnvironmentConfig, 'capacity'>): PrescaleWindow[] {
  return (config.capacity?.launchWindows ?? []).map((raw) => {
    const w: LaunchWindow = { ...LAUNCH_WINDOW_DEFAULTS, ...raw };
    const { start, end } = windowSchedule(w);
    return {
      name: w.name,
      timezone: w.timezone,
      level: w.level,
      kedaStart: kedaCron(start),
      kedaEnd: kedaCron(end),
      awsStart: awsCron(start),
      awsEnd: awsCron(end),
      hoursPerMonth: Math.round(windowHoursPerMonth(start, end) * 100) / 100,
    };
  });
}

/**
 * The replicas a workload is held at during a window: its peak need `ceil(peakPods x level)`, at most
 * its maximum; undefined when that is not above its minimum (the trigger would change nothing).
 */
export function prescaleReplicas(
  b: Pick<ReplicaBounds, 'peakPods' | 'minReplicas' | 'maxReplicas'>,
  level: number,
): number | undefined {
  const n = Math.min(b.maxReplicas, ceilUnits(b.peakPods * level));
  return n > b.minReplicas ? n : undefined;
}

/**
 * The `MinCapacity` of a table dimension during a window: what target tracking settles at for
 * `level` x the peak demand (`ceil(peak x level / target utilization)`), at most the maximum;
 * undefined when that is not above the standing floor `min`.
 */
export function prescaleUnits(
  b: Pick<ThroughputBounds, 'peak' | 'max'>,
  min: number,
  level: number,
): number | undefined {
  const n = Math.min(b.max, ceilUnits((b.peak * level) / (TABLE_TARGET_UTILIZATION_PERCENT / 100)));
  return n > min ? n : undefined;
}
