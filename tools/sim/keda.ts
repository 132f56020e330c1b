/**
 * KEDA's scalers as the HPA sees them: each trigger becomes one metric, KEDA's HPA takes the
 * largest proposal, and KEDA itself only decides activation (0 <-> 1 replicas).
 * @see https://keda.sh/docs/2.20/concepts/scaling-deployments/ (activation and scaling phases)
 * @see https://keda.sh/docs/2.20/scalers/cpu/ (Resource metric, Utilization)
 * @see https://keda.sh/docs/2.20/scalers/datadog/ (External metric; `targetValue`, AverageValue by default)
 * @see https://keda.sh/docs/2.20/scalers/aws-sqs/ (`queueLength` per pod; visible + in flight with `scaleOnInFlight`)
 * @see https://keda.sh/docs/2.20/scalers/aws-kinesis/ (metric = open shards, target `shardCount` per pod)
 * @see https://keda.sh/docs/2.20/scalers/aws-cloudwatch/ (newest datapoint of the window, `targetMetricValue`)
 * @see https://keda.sh/docs/2.20/scalers/cron/ (pkg/scalers/cron_scaler.go at v2.20.2: `desiredReplicas` inside
 *   `[start, end)`, 0 and inactive outside; External metric with AverageValue target 1)
 * - Scaling phase (1..N): the HPA queries KEDA's metrics server on its own sync period; without
 *   `useCachedMetrics` KEDA reads the source on each query, so `pollingInterval` does not delay it.
 * - Activation phase (0 <-> 1): the operator checks every `pollingInterval`; a trigger is active when
 *   its metric is greater than its activation value; with every trigger inactive the target goes to
 *   0 after `cooldownPeriod` (only when `minReplicaCount` is 0).
 */
import { replicasForAverageValue, replicasForRatio, replicasForUtilization, HPA_TOLERANCE } from './hpa';
import type { Trigger } from './types';

/** What the scalers observe at one HPA sync. */
export interface Observation {
  /** The scale subresource's replicas (`spec.replicas`). */
  readonly replicas: number;
  readonly readyPods: number;
  readonly notReadyPods: number;
  /** Average CPU utilization of the ready pods, percent of their request (metrics-server). */
  readonly readyCpuPercent: number;
  /** The demand rate as the Datadog query returns it (per second), lagged by the source. */
  readonly datadogRate: number;
  /** The CloudWatch datapoint the scaler reads (the `metricStat` over one period), lagged. */
  readonly cloudwatchValue: number;
  /** SQS ApproximateNumberOfMessages (visible). */
  readonly queueVisible: number;
  /** SQS ApproximateNumberOfMessagesNotVisible (in flight). */
  readonly queueInFlight: number;
  /** Open shards of the stream. */
  readonly shardCount: number;
  /** The `cron` triggers (by name) whose window holds the current time. @default - none */
  readonly cronActive?: ReadonlySet<string>;
}

/** The metric value a trigger reports (before the HPA divides by its target). */
export function triggerMetric(t: Trigger, o: Observation): number {
  switch (t.type) {
    case 'cpu':
      return o.readyCpuPercent;
    case 'datadog':
      return o.datadogRate;
    case 'aws-cloudwatch':
      return o.cloudwatchValue;
    case 'aws-sqs-queue':
      return o.queueVisible + (t.scaleOnInFlight ? o.queueInFlight : 0);
    case 'aws-kinesis-stream':
      return o.shardCount;
    case 'cron':
      // pkg/scalers/cron_scaler.go (v2.20.2): desiredReplicas inside the window, 0 outside.
      return o.cronActive?.has(t.name) ? t.desiredReplicas : 0;
  }
}

/** The replicas the HPA proposes for one trigger. */
export function triggerProposal(t: Trigger, o: Observation, tolerance = HPA_TOLERANCE): number {
  const value = triggerMetric(t, o);
  switch (t.type) {
    case 'cpu':
      return replicasForUtilization(o.readyPods, o.notReadyPods, value, t.utilizationPercent, tolerance);
    case 'datadog':
    case 'aws-cloudwatch':
      return t.metricType === 'Value'
        ? replicasForRatio(o.readyPods, value, t.target, tolerance)
        : replicasForAverageValue(o.replicas, value, t.target, tolerance);
    case 'aws-sqs-queue':
      return replicasForAverageValue(o.replicas, value, t.queueLength, tolerance);
    case 'aws-kinesis-stream':
      return replicasForAverageValue(o.replicas, value, t.shardCount, tolerance);
    case 'cron':
      // AverageValue target 1 (GetMetricSpecForScaling's specReplicas): proposes `desiredReplicas`.
      return replicasForAverageValue(o.replicas, value, 1, tolerance);
  }
}

/** The HPA's proposal over all triggers: the largest. */
export function kedaProposal(
  triggers: readonly Trigger[],
  o: Observation,
  tolerance = HPA_TOLERANCE,
): number {
  return Math.max(...triggers.map((t) => triggerProposal(t, o, tolerance)));
}

/** A trigger is active when its metric is greater than its activation value (cpu: always). */
export function isActive(t: Trigger, o: Observation): boolean {
  if (t.type === 'cpu') return true;
  if (t.type === 'cron') return triggerMetric(t, o) > 0;
  return triggerMetric(t, o) > t.activation;
}
