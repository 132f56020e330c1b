/**
 * What the simulator takes from config: the measured load-test figures (per-pod throughput, the
 * declared peaks that `unit: "peak"` traces scale, read units per score) and the budgets. Every
 * deployed size comes from the plan (./plan-reader.ts), never from here.
 */
import { READ_UNITS_PER_READ } from '../../stacks/capacity';
import type { EnvironmentConfig } from '../../stacks/config/load';
import { SIMULATION_DEFAULTS } from '../../stacks/config/schema';
import type { Signal } from './trace';

export interface WorkloadModel {
  readonly workload: string;
  readonly signal: Signal;
  readonly perPod: number;
  readonly mode: 'sync' | 'queue' | 'stream';
}

export interface TableModel {
  /** The table's name without the environment prefix (`features`). */
  readonly table: string;
  readonly dimension: 'read' | 'write';
  readonly signal: Signal;
  /** Capacity units per unit of the signal. */
  readonly unitsPer: number;
}

export interface Budgets {
  readonly timeToCapacitySeconds: number;
  readonly breachSeconds: number;
  readonly rtoSeconds: number;
  readonly level: 'advisory' | 'mandatory';
}

export interface SimModel {
  readonly workloads: readonly WorkloadModel[];
  readonly tables: readonly TableModel[];
  readonly peaks: Readonly<Record<Signal, number>>;
  readonly budgets: Budgets;
}

/** The model of an environment: its targets (stacks/capacity.ts tableCapacity demand model) and budgets. */
export function modelOf(config: EnvironmentConfig): SimModel {
  const t = config.targets;
  const perRead = READ_UNITS_PER_READ[config.tables.readConsistency];
  const sim = { ...SIMULATION_DEFAULTS, ...config.simulation };
  return {
    workloads: [
      { workload: 'scoring-api', signal: 'scoringRps', perPod: t.scoringPodRps, mode: 'sync' },
      {
        workload: 'stream-scorer',
        signal: 'streamRecordsPerSec',
        perPod: t.streamPodRecordsPerSec,
        mode: 'stream',
      },
      {
        workload: 'feedback-worker',
        signal: 'feedbackMessagesPerSec',
        perPod: t.feedbackPodMessagesPerSec,
        mode: 'queue',
      },
    ],
    tables: [
      {
        table: 'features',
        dimension: 'read',
        signal: 'scoringRps',
        unitsPer: t.featureReadsPerScore * perRead,
      },
      { table: 'features', dimension: 'write', signal: 'feedbackMessagesPerSec', unitsPer: 1 },
      { table: 'decisions', dimension: 'write', signal: 'scoringRps', unitsPer: 1 },
      { table: 'decisions', dimension: 'read', signal: 'feedbackMessagesPerSec', unitsPer: perRead },
    ],
    peaks: {
      scoringRps: t.peakScoringRps,
      streamRecordsPerSec: t.peakStreamRecordsPerSec,
      feedbackMessagesPerSec: t.peakFeedbackMessagesPerSec,
    },
    budgets: { ...sim, rtoSeconds: config.dr.rtoSeconds },
  };
}
