import { EnvironmentConfig } from './config/load';
import { WorkloadName } from './naming';
import { InvalidArgumentError } from './errors';
import { requirePositive } from './capacity-nodes';

// The node sizing half of the model lives in ./capacity-nodes.ts (re-exported: one import for callers).
export * from './capacity-nodes';

/**
 * The capacity model: pure functions from an environment's declared targets to shard counts, table
 * capacity, replica bounds and node counts. Nothing here is hand-typed per environment; every size
 * the stacks and charts use comes from {@link capacityPlan}.
 *
 * Rounding: every "units needed" value goes through {@link ceilUnits}, which forgives floating-point
 * noise (75.00000000001 shards is 75, not 76) but never rounds a real fraction down.
 */

/** Write capacity of one provisioned Kinesis shard: 1,000 records/s. @see https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html */
export const SHARD_RECORDS_PER_SEC = 1000;
/** Write capacity of one provisioned Kinesis shard: 1 MiB/s. */
export const SHARD_BYTES_PER_SEC = 1024 * 1024;

/**
 * The autoscaler minimum as a fraction of the pods the peak needs (without headroom). Half of peak
 * keeps a cold start from a quiet period within one HPA/KEDA scale-up step of the peak.
 */
export const MIN_REPLICAS_FRACTION_OF_PEAK = 0.5;

/**
 * The minimum of a queue consumer (feedback-worker) as a fraction of its peak pods: all of them.
 * KEDA's `aws-sqs-queue` scaler proposes `ceil((visible + in-flight) / queueLength)`, so a consumer that
 * keeps up holds no backlog and does not scale out until messages pile up: half of peak then carries half
 * of the peak (issue 12 build 5). In the capacity simulator (prod, 800 messages/s at 100 per pod): the
 * diurnal day's feedback-worker breach 2,875 s -> 0 s and the failover's modelled RTO 354 s -> 210 s, for
 * 4 more pods of 250m in the active region (about $36 a month).
 * @see https://keda.sh/docs/2.18/scalers/aws-sqs/
 */
export const QUEUE_CONSUMER_MIN_FRACTION_OF_PEAK = 1;
/**
 * The lowest autoscaler minimum in the primary region, in every environment: with two pods a single
 * eviction, node drain or AZ loss never takes a workload to zero, and a PDB can allow one disruption.
 * It is not relaxed for dev: environment differences live in config, not in the model.
 */
export const MIN_REPLICAS_FLOOR = 2;
/**
 * The lowest autoscaler maximum: one above the minimum floor, so an autoscaler always has room to act
 * (a maximum equal to the minimum cannot scale). The stream scorer's shard cap still applies on top.
 */
export const MAX_REPLICAS_FLOOR = MIN_REPLICAS_FLOOR + 1;

/** Provisioned table minimums as a fraction of the peak (without headroom). */
export const TABLE_MIN_FRACTION_OF_PEAK = 0.5;
/** The lowest provisioned capacity of any table dimension (units). */
export const TABLE_MIN_UNITS = 5;
/** Target utilization of DynamoDB target-tracking autoscaling, in percent. */
export const TABLE_TARGET_UTILIZATION_PERCENT = 70;
/**
 * Peak traffic of the control table (reads and writes per second): the active-region record and the
 * write fence read by the writers, and the runbook's lock, journal and audit writes. Small and flat;
 * it does not grow with the scoring traffic because readers cache the record.
 */
export const CONTROL_TABLE_PEAK = { readsPerSec: 25, writesPerSec: 10 } as const;

/**
 * The SQS visibility timeout as a multiple of the consumer's processing time: six times, AWS's
 * guidance for Lambda consumers, which also leaves room for a batch and a retry inside one lease.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 */
export const VISIBILITY_TIMEOUT_MULTIPLIER = 6;
/** SQS's maximum visibility timeout (12 hours). */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43200;

type Targets = EnvironmentConfig['targets'];

/** `Math.ceil` that forgives floating-point noise: values within 1e-9 of an integer round to it. */
export function ceilUnits(x: number): number {
  const nearest = Math.round(x);
  return Math.abs(x - nearest) < 1e-9 ? nearest : Math.ceil(x);
}

function requireTargets(t: Targets): void {
  for (const [k, v] of Object.entries(t)) requirePositive(`targets.${k}`, v as number);
  if (t.headroom < 1)
    throw new InvalidArgumentError(`'targets.headroom' (${t.headroom}) must be greater than or equal to 1`);
}

// ---------------------------------------------------------------------------------------------
// Kinesis

/** The shards a write load needs, by each of the two per-shard limits, and the count that meets both. */
export interface ShardRequirement {
  /** Shards needed by the record rate (records/s with headroom / 1,000). */
  readonly byRecords: number;
  /** Shards needed by the byte rate (bytes/s with headroom / 1 MiB). */
  readonly byBytes: number;
  /** `max(byRecords, byBytes)`, at least 1. */
  readonly shardCount: number;
}

/**
 * Shards for the transactions stream: `ceil(max(records*headroom/1000, records*bytes*headroom/1MiB))`.
 * For ON_DEMAND streams the same number is the model's equivalent (it caps the stream scorer).
 */
export function shardRequirement(t: Targets): ShardRequirement {
  requireTargets(t);
  const records = t.peakStreamRecordsPerSec * t.headroom;
  const byRecords = ceilUnits(records / SHARD_RECORDS_PER_SEC);
  const byBytes = ceilUnits((records * t.meanRecordBytes) / SHARD_BYTES_PER_SEC);
  return { byRecords, byBytes, shardCount: Math.max(1, byRecords, byBytes) };
}

// ---------------------------------------------------------------------------------------------
// DynamoDB

/** Provisioned capacity of one table dimension (read or write), in capacity units. */
export interface ThroughputBounds {
  /** The demand at peak, without headroom (units/s). */
  readonly peak: number;
  /** The autoscaling minimum: {@link TABLE_MIN_FRACTION_OF_PEAK} of peak, at least {@link TABLE_MIN_UNITS}. */
  readonly min: number;
  /** The autoscaling maximum: `ceil(peak * headroom)`. Tables are created at `min` and autoscaling rises. */
  readonly max: number;
}

/** Read and write capacity of one table. Units assume items up to 4 KB (reads) / 1 KB (writes); reads as configured. */
export interface TableCapacity {
  readonly reads: ThroughputBounds;
  readonly writes: ThroughputBounds;
}

/** Bounds for one dimension from its peak demand and the headroom. */
export function throughputBounds(peak: number, headroom: number): ThroughputBounds {
  requirePositive('peak', peak);
  requirePositive('headroom', headroom);
  const max = Math.max(TABLE_MIN_UNITS, ceilUnits(peak * headroom));
  const min = Math.min(max, Math.max(TABLE_MIN_UNITS, ceilUnits(peak * TABLE_MIN_FRACTION_OF_PEAK)));
  return { peak, min, max };
}

/** How the scoring path reads features and decisions (config `tables.readConsistency`). */
export type ReadConsistency = EnvironmentConfig['tables']['readConsistency'];

/**
 * Read units per read of an item up to 4 KB: an eventually consistent read costs half a unit, a
 * strongly consistent one a whole unit.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/provisioned-capacity-mode.html
 */
export const READ_UNITS_PER_READ: Readonly<Record<ReadConsistency, number>> = { EVENTUAL: 0.5, STRONG: 1 };

/**
 * Replicated deletes per decision put at peak. A TTL delete costs no write units where it runs, but
 * every other replica receives it as a replicated write, and version 2019.11.21 write autoscaling
 * settings are global, so the maximum must carry puts plus deletes. The TTL is whole days, so the
 * cohort written at a peak expires at the same time of day: at worst one delete per put.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-global-table-design.prescriptive-guidance.throughput.html
 */
export const TTL_REPLICATED_DELETES_PER_PUT = 1;

/** Options of {@link tableCapacity}. */
export interface TableCapacityOptions {
  /** How features and decisions are read. @default 'STRONG' */
  readonly readConsistency?: ReadConsistency;
}

/**
 * Capacity of the three tables.
 * - `features`: reads = peakScoringRps * featureReadsPerScore * units per read; writes =
 *   peakFeedbackMessagesPerSec (the feedback worker updates feature vectors, one write per message).
 * - `decisions`: writes = peakScoringRps * (1 + {@link TTL_REPLICATED_DELETES_PER_PUT}) (one decision
 *   per score, and its TTL delete replicated); reads = peakFeedbackMessagesPerSec * units per read.
 * - `control`: {@link CONTROL_TABLE_PEAK}, read strongly (the runbook's fence and lock).
 * Each with headroom on top.
 */
export function tableCapacity(
  t: Targets,
  opts: TableCapacityOptions = {},
): {
  features: TableCapacity;
  decisions: TableCapacity;
  control: TableCapacity;
} {
  requireTargets(t);
  const h = t.headroom;
  const perRead = READ_UNITS_PER_READ[opts.readConsistency ?? 'STRONG'];
  return {
    features: {
      reads: throughputBounds(t.peakScoringRps * t.featureReadsPerScore * perRead, h),
      writes: throughputBounds(t.peakFeedbackMessagesPerSec, h),
    },
    decisions: {
      reads: throughputBounds(t.peakFeedbackMessagesPerSec * perRead, h),
      writes: throughputBounds(t.peakScoringRps * (1 + TTL_REPLICATED_DELETES_PER_PUT), h),
    },
    control: {
      reads: throughputBounds(CONTROL_TABLE_PEAK.readsPerSec, h),
      writes: throughputBounds(CONTROL_TABLE_PEAK.writesPerSec, h),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Workloads

/** Autoscaler bounds of one workload. */
export interface ReplicaBounds {
  /** Pods the peak needs without headroom: `peak / perPod` (fractional). */
  readonly peakPods: number;
  /** Primary (full-capacity) minimum: `ceil(peakPods * 0.5)`, at least 2, at most `maxReplicas`. */
  readonly minReplicas: number;
  /** Maximum in both regions: `ceil(peak * headroom / perPod)`, at least 3 (stream scorer: at most the shards). */
  readonly maxReplicas: number;
  /** DR warm-standby minimum: `max(min(floor, minReplicas), ceil(minReplicas * standbyFraction))`. */
  readonly standbyMinReplicas: number;
}

/** Options of {@link replicaBounds}. */
export interface ReplicaBoundsOptions {
  /** An upper limit on the maximum (the stream scorer: one consumer per shard at most). @default - none */
  readonly cap?: number;
  /** The smallest standby minimum (see {@link standbyMinimum}). @default 1 */
  readonly standbyFloor?: number;
  /** The minimum as a fraction of the peak pods. @default MIN_REPLICAS_FRACTION_OF_PEAK */
  readonly minFractionOfPeak?: number;
}

/**
 * The smallest autoscaler minimum of each environment, standby included: 2 in prod, so no workload
 * ever runs a single pod there (the `hpa-replica-bounds` policy's floor, see policies/config.ts).
 */
export const REPLICA_FLOOR: Readonly<Record<EnvironmentConfig['environment'], number>> = {
  dev: 1,
  staging: 1,
  prod: 2,
};

/**
 * The warm-standby minimum: the configured fraction of the primary minimum, never below `floor`
 * (nor above the primary minimum).
 * @param floor the environment's {@link REPLICA_FLOOR}. @default 1
 */
export function standbyMinimum(minReplicas: number, standbyFraction: number, floor = 1): number {
  requirePositive('standbyFraction', standbyFraction);
  if (standbyFraction > 1)
    throw new InvalidArgumentError(`'standbyFraction' (${standbyFraction}) must be less than or equal to 1`);
  return Math.max(1, Math.min(floor, minReplicas), ceilUnits(minReplicas * standbyFraction));
}

/** Replica bounds from a peak rate, the measured per-pod rate, headroom and the standby fraction. */
export function replicaBounds(
  peak: number,
  perPod: number,
  headroom: number,
  standbyFraction: number,
  opts: ReplicaBoundsOptions = {},
): ReplicaBounds {
  requirePositive('peak', peak);
  requirePositive('perPod', perPod);
  requirePositive('headroom', headroom);
  const peakPods = peak / perPod;
  let maxReplicas = Math.max(MAX_REPLICAS_FLOOR, ceilUnits((peak * headroom) / perPod));
  if (opts.cap !== undefined) {
    if (!Number.isInteger(opts.cap) || opts.cap < 1)
      throw new InvalidArgumentError(`'cap' (${opts.cap}) must be an integer >= 1`);
    maxReplicas = Math.min(maxReplicas, opts.cap);
  }
  const minReplicas = Math.min(
    maxReplicas,
    Math.max(
      MIN_REPLICAS_FLOOR,
      ceilUnits(peakPods * (opts.minFractionOfPeak ?? MIN_REPLICAS_FRACTION_OF_PEAK)),
    ),
  );
  return {
    peakPods,
    minReplicas,
    maxReplicas,
    standbyMinReplicas: standbyMinimum(minReplicas, standbyFraction, opts.standbyFloor),
  };
}

/**
 * Bounds per workload: scoring-api from `peakScoringRps / scoringPodRps`; stream-scorer from
 * `peakStreamRecordsPerSec / streamPodRecordsPerSec`, capped at the shard count (a shard feeds one
 * enhanced fan-out subscriber of the consumer group); feedback-worker from
 * `peakFeedbackMessagesPerSec / feedbackPodMessagesPerSec`.
 */
export function workloadBounds(
  t: Targets,
  standbyFraction: number,
  shardCount: number,
  standbyFloor = 1,
): Record<WorkloadName, ReplicaBounds> {
  requireTargets(t);
  return {
    'scoring-api': replicaBounds(t.peakScoringRps, t.scoringPodRps, t.headroom, standbyFraction, {
      standbyFloor,
    }),
    'stream-scorer': replicaBounds(
      t.peakStreamRecordsPerSec,
      t.streamPodRecordsPerSec,
      t.headroom,
      standbyFraction,
      { cap: shardCount, standbyFloor },
    ),
    'feedback-worker': replicaBounds(
      t.peakFeedbackMessagesPerSec,
      t.feedbackPodMessagesPerSec,
      t.headroom,
      standbyFraction,
      { standbyFloor, minFractionOfPeak: QUEUE_CONSUMER_MIN_FRACTION_OF_PEAK },
    ),
  };
}

/**
 * One region's autoscaler bounds in the shape the charts take (`charts/props.ts` `Bounds`): the
 * active (serving) region runs its full minimum, the other region its standby minimum; both record
 * the full one. Which region is active is config (`dr.activeRegion`), not the region's role.
 */
export function regionBounds(
  b: ReplicaBounds,
  active: boolean,
): { minReplicas: number; maxReplicas: number; fullMinReplicas: number } {
  return {
    minReplicas: active ? b.minReplicas : b.standbyMinReplicas,
    maxReplicas: b.maxReplicas,
    fullMinReplicas: b.minReplicas,
  };
}

// ---------------------------------------------------------------------------------------------
// Messaging

/** The visibility timeout: {@link VISIBILITY_TIMEOUT_MULTIPLIER} times the processing time, at most 12 h. */
export function visibilityTimeoutSeconds(consumerProcessingSeconds: number): number {
  requirePositive('consumerProcessingSeconds', consumerProcessingSeconds);
  const v = ceilUnits(consumerProcessingSeconds * VISIBILITY_TIMEOUT_MULTIPLIER);
  if (v > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    throw new InvalidArgumentError(
      `'consumerProcessingSeconds' (${consumerProcessingSeconds}) must be at most ${MAX_VISIBILITY_TIMEOUT_SECONDS / VISIBILITY_TIMEOUT_MULTIPLIER} ` +
        `(the visibility timeout, ${VISIBILITY_TIMEOUT_MULTIPLIER}x, is capped at ${MAX_VISIBILITY_TIMEOUT_SECONDS} s)`,
    );
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// The plan

/** Everything the capacity model derives for one environment. */
export interface CapacityPlan {
  readonly stream: ShardRequirement & {
    /** The stream's mode from config; for ON_DEMAND `shardCount` is the model's equivalent. */
    readonly mode: EnvironmentConfig['streams']['mode'];
  };
  readonly tables: {
    readonly features: TableCapacity;
    readonly decisions: TableCapacity;
    readonly control: TableCapacity;
  };
  readonly workloads: Readonly<Record<WorkloadName, ReplicaBounds>>;
  /** The request rate one scoring-api pod should carry at peak (HPA target): `scoringPodRps / headroom`. */
  readonly scoringApiTargetRpsPerPod: number;
  /**
   * The record rate one stream-scorer pod should carry at peak (its autoscaler's AverageValue target):
   * `streamPodRecordsPerSec / headroom`.
   */
  readonly streamScorerTargetRecordsPerSecPerPod: number;
  readonly messaging: { readonly visibilityTimeoutSeconds: number };
}

/** The whole capacity plan of an environment. Computed once, in `stacks/program.ts`. */
export function capacityPlan(
  config: Pick<EnvironmentConfig, 'targets' | 'dr' | 'streams' | 'messaging'> &
    Partial<Pick<EnvironmentConfig, 'environment'>> & {
      readonly tables?: Pick<EnvironmentConfig['tables'], 'readConsistency'>;
    },
): CapacityPlan {
  const t = config.targets;
  const stream = shardRequirement(t);
  return {
    stream: { ...stream, mode: config.streams.mode },
    tables: tableCapacity(t, { readConsistency: config.tables?.readConsistency }),
    workloads: workloadBounds(
      t,
      config.dr.standbyFraction,
      stream.shardCount,
      config.environment ? REPLICA_FLOOR[config.environment] : 1,
    ),
    scoringApiTargetRpsPerPod: t.scoringPodRps / t.headroom,
    streamScorerTargetRecordsPerSecPerPod: t.streamPodRecordsPerSec / t.headroom,
    messaging: {
      visibilityTimeoutSeconds: visibilityTimeoutSeconds(config.messaging.consumerProcessingSeconds),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Replication heartbeat

/** The longest interval of the replication heartbeat writer, in seconds. */
export const MAX_HEARTBEAT_INTERVAL_SECONDS = 5;
/** The shortest interval (the writer's `sleep` takes whole seconds; one put per second is plenty). */
export const MIN_HEARTBEAT_INTERVAL_SECONDS = 1;
/**
 * The smallest RPO the heartbeat can measure: one interval of the writer (1 s) plus the put's
 * latency plus the replication lag must fit in it with room to spare. The config schema refuses less.
 */
export const MIN_MEASURABLE_RPO_SECONDS = 3;

/**
 * How often the `replication-heartbeat` writer of each region writes (and reads the other region's
 * heartbeat): a fifth of the RPO, whole seconds, between 1 and 5. The runbook subtracts one interval
 * from a heartbeat's age to estimate the replication lag, so the interval must stay well below the
 * RPO (prod: RPO 5 s, interval 1 s).
 */
export function heartbeatIntervalSeconds(rpoSeconds: number): number {
  requirePositive('dr.rpoSeconds', rpoSeconds);
  return Math.max(
    MIN_HEARTBEAT_INTERVAL_SECONDS,
    Math.min(MAX_HEARTBEAT_INTERVAL_SECONDS, Math.floor(rpoSeconds / 5)),
  );
}
