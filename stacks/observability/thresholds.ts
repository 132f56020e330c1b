import { visibilityTimeoutSeconds } from '../capacity';
import { InvalidArgumentError } from '../errors';

/**
 * Monitor thresholds, derived from the environment's targets. Pure functions: every number a monitor
 * alerts on comes from here, so a change of target moves its alerts with it. Each returns values in
 * the unit of the metric it is compared with (stated per function).
 */

/** A monitor's critical threshold and, where it has one, its warning threshold (same unit). */
export interface Thresholds {
  readonly critical: number;
  readonly warning?: number;
}

/** Fraction of a critical threshold at which a monitor warns first. */
export const WARNING_FRACTION = 0.5;

/** Fraction of the p99 latency SLO at which the latency monitor warns. */
export const LATENCY_WARNING_FRACTION = 0.8;

/**
 * Availability objective of the scoring API. The targets carry no error objective yet, so it is
 * fixed here; the error-rate monitor derives its burn-rate thresholds from it.
 */
export const SCORING_AVAILABILITY_OBJECTIVE = 0.999;

/** Error-budget burn rates that page (critical) and warn: 10x exhausts a 30-day budget in 3 days. */
export const ERROR_BURN_RATES = { critical: 10, warning: 5 } as const;

/**
 * Latency SLO of an environment: the share of 5-minute slices over 30 days in which the scoring API's
 * p99 stays within `p99LatencyMs`.
 */
export const LATENCY_SLO = { target: 99.9, warning: 99.95, timeframe: '30d', sliceSeconds: 300 } as const;

function positive(field: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`'${field}' (${value}) must be a finite number greater than 0`);
  }
  return value;
}

/** Rounds away binary noise (0.1 * 3) so thresholds print as the number a reader expects. */
export function round(value: number): number {
  return Number(value.toPrecision(12));
}

/**
 * Scoring API p99 latency, in seconds (APM `trace.http.request` is in seconds): critical at the SLO,
 * warning at {@link LATENCY_WARNING_FRACTION} of it.
 */
export function latencyThresholds(targets: { readonly p99LatencyMs: number }): Thresholds {
  const ms = positive('targets.p99LatencyMs', targets.p99LatencyMs);
  return { critical: round(ms / 1000), warning: round((ms * LATENCY_WARNING_FRACTION) / 1000) };
}

/**
 * Scoring API error rate, as a fraction of requests: the error budget `1 - objective` times the
 * burn rates of {@link ERROR_BURN_RATES}.
 */
export function errorRateThresholds(objective: number = SCORING_AVAILABILITY_OBJECTIVE): Thresholds {
  if (!(objective > 0 && objective < 1)) {
    throw new InvalidArgumentError(`'objective' (${objective}) must be greater than 0 and less than 1`);
  }
  const budget = 1 - objective;
  return {
    critical: round(Math.min(1, budget * ERROR_BURN_RATES.critical)),
    warning: round(Math.min(1, budget * ERROR_BURN_RATES.warning)),
  };
}

/**
 * DynamoDB `ReplicationLatency`, in milliseconds: critical at the RPO (a failover now would lose more
 * than the objective allows; the runbook's preflight refuses at the same point), warning at
 * {@link WARNING_FRACTION} of it.
 */
export function replicationLatencyThresholds(dr: { readonly rpoSeconds: number }): Thresholds {
  const ms = positive('dr.rpoSeconds', dr.rpoSeconds) * 1000;
  return { critical: round(ms), warning: round(ms * WARNING_FRACTION) };
}

/**
 * Stream-scorer lag behind the Kinesis stream (`MillisBehindLatest`), in milliseconds. Records not yet
 * scored when a region fails are the stream's share of the recovery point, so the RPO bounds it too.
 */
export function iteratorAgeThresholds(dr: { readonly rpoSeconds: number }): Thresholds {
  const ms = positive('dr.rpoSeconds', dr.rpoSeconds) * 1000;
  return { critical: round(ms), warning: round(ms * WARNING_FRACTION) };
}

/** Messages on a dead-letter queue: any message there is a decision nobody acted on. */
export function dlqDepthThresholds(): Thresholds {
  return { critical: 0 };
}

/**
 * Age of the oldest message on a work queue, in seconds. A message that is received but keeps failing
 * moves to the DLQ after `maxReceiveCount` visibility timeouts; one older than that is not being
 * consumed at all (critical). Warning after one visibility timeout: the consumer is falling behind.
 * The visibility timeout is the data plane's ({@link visibilityTimeoutSeconds}).
 */
export function oldestMessageThresholds(messaging: {
  readonly maxReceiveCount: number;
  readonly consumerProcessingSeconds: number;
}): Thresholds {
  const receives = positive('messaging.maxReceiveCount', messaging.maxReceiveCount);
  const visibility = visibilityTimeoutSeconds(
    positive('messaging.consumerProcessingSeconds', messaging.consumerProcessingSeconds),
  );
  return { critical: round(visibility * receives), warning: round(visibility) };
}

/**
 * An autoscaler at its maximum, as `current - max` replicas: alerts at 0 (no headroom left to absorb
 * a burst or the other region's traffic).
 */
export function atMaxReplicasThresholds(): Thresholds {
  return { critical: 0 };
}

/** KEDA scaler errors over the evaluation window: any error means a workload may not scale. */
export function kedaScalerErrorThresholds(): Thresholds {
  return { critical: 0 };
}
